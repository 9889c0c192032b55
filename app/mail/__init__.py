"""E-mail over SMTP: messages with plain text, HTML and attachments, sent by RQ jobs with
retries (``jobs.enqueue_email``), never inside a web request.

``MAIL_BACKEND`` "smtp" sends through ``MAIL_SERVER``; "outbox" (the default when no server is
configured) sends nothing: messages are only kept in the outbox that staff read.
"""
