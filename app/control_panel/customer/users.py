"""The organisation's users (/customer/users): the panels' one implementation
(``app.control_panel.team``), mounted here."""
from app.control_panel.customer import bp
from app.control_panel.team import add_team_pages

add_team_pages(bp)
