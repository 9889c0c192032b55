"""The paged lists' one macro (templates/partials/lists.html), rendered without the app: the card
with its caption and headings, the pager, and each kind of empty state."""
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass
class FakePage:
    items: list = field(default_factory=list)
    page: int = 1
    pages: int = 1

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def _url_for(endpoint, **values):
    return f"/{endpoint}?" + urlencode({key: value for key, value in values.items() if value is not None})


def render(call: str, **context) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    environment.globals["url_for"] = _url_for
    source = '{% from "partials/lists.html" import list_card %}' + call
    return re.sub(r"\s+", " ", environment.from_string(source).render(**context)).strip()


ROWS = ('{% set columns %}<th scope="col">Name</th>{% endset %}'
        '{% call list_card(rows, "Things, by name", columns, "No things yet.", "things", "Pages of things", {"q": "a b"}, **options) %}'
        '{% for row in rows.items %}<tr><td>{{ row }}</td></tr>{% endfor %}{% endcall %}')


def test_a_page_of_rows_has_its_caption_headings_rows_and_pager():
    html = render(ROWS, rows=FakePage(["Ann & Bo"], page=2, pages=3), options={})

    assert '<table class="table table-hover align-middle mb-0">' in html
    assert '<caption class="visually-hidden">Things, by name</caption>' in html
    assert '<thead class="table-light"><tr><th scope="col">Name</th></tr></thead>' in html
    assert "<tr><td>Ann &amp; Bo</td></tr>" in html
    assert '<nav class="mt-3" aria-label="Pages of things">' in html
    assert '<span class="page-link" aria-current="page">Page 2 of 3</span>' in html
    assert 'href="/things?page=1&amp;q=a+b">Newer</a>' in html and 'href="/things?page=3&amp;q=a+b">Older</a>' in html
    assert "data-empty" not in html


def test_one_page_has_no_pager_and_the_note_and_header_stand_around_the_table():
    html = render(ROWS, rows=FakePage(["Ann"]), options={"hover": False, "marker": "things", "note": "1 thing",
                                                         "header": Markup('<div class="card-header">Head</div>')})

    assert '<table class="table align-middle mb-0" data-things>' in html
    assert '<div class="card shadow-sm"> <div class="card-header">Head</div> <div class="table-responsive">' in html
    assert '</div> <p class="small text-body-secondary mt-2 mb-0">1 thing</p>' in html
    assert "pagination" not in html


def test_no_rows_says_the_empty_text_without_table_or_pager():
    html = render(ROWS, rows=FakePage([], page=1, pages=0), options={})

    assert html == '<p class="text-body-secondary" data-empty>No things yet.</p>'


def test_no_rows_in_a_box_with_icon_detail_and_action():
    options = {"empty_box": True, "empty_icon": "receipt", "empty_detail": "They appear here.", "empty_action": ("/shop", "Shop")}

    html = render(ROWS, rows=FakePage([]), options=options)

    assert html == ('<div class="bg-white border rounded-3 p-5 text-center" data-empty> '
                    '<i class="bi bi-receipt display-5 text-body-secondary" aria-hidden="true"></i> '
                    '<h2 class="h5 mt-3">No things yet.</h2> <p class="text-body-secondary">They appear here.</p> '
                    '<a class="btn btn-primary" href="/shop">Shop</a> </div>')


def test_a_plain_box_has_only_its_heading():
    html = render(ROWS, rows=FakePage([]), options={"empty_box": True})

    assert html == '<div class="bg-white border rounded-3 p-5 text-center" data-empty> <h2 class="h5">No things yet.</h2> </div>'


def test_a_page_past_the_last_says_so_and_links_to_the_last_not_that_the_list_is_empty():
    html = render(ROWS, rows=FakePage([], page=9, pages=3), options={})

    assert "No things yet." not in html and "<table" not in html
    assert "There is no page 9: this list has 3 pages." in html
    assert '<a href="/things?page=3&amp;q=a+b">Go to the last page</a>' in html
    # an empty list (no page at all) keeps its empty state
    assert "No things yet." in render(ROWS, rows=FakePage([], page=1, pages=0), options={})
