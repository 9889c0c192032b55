"""E-mail over SMTP: messages with plain text, HTML and attachments, sent by RQ jobs with
retries (``jobs.enqueue_email``), never inside a web request.

``MAIL_BACKEND`` "smtp" sends through ``MAIL_SERVER``; "outbox" (the default when no server is
configured) sends nothing: messages are only kept in the outbox that staff read.
"""
from flask import Blueprint

# No routes (the staff's outbox pages are in ``app.back_office``): registering it installs the
# session hooks that enqueue a mail job for each message once its transaction commits.
bp = Blueprint("mail", __name__)


@bp.record_once
def _send_after_commit(state) -> None:
    from app.mail.outbox import install_session_hooks  # the outbox imports models: not at package import

    install_session_hooks()
