"""Mail messages as job data and as MIME."""
from app.mail.message import Attachment, MailMessage, build_email


def test_a_message_survives_the_trip_through_a_job_unchanged():
    message = MailMessage(to=("a@example.test", "b@example.test"), subject="Invoice", text="See attached.", html="<p>See attached.</p>",
                          attachments=(Attachment("invoice.pdf", bytes(range(256)), "application/pdf"),), reply_to="billing@example.test",
                          message_id="<1@example.test>")
    assert MailMessage.from_dict(message.to_dict()) == message


def test_a_single_recipient_may_be_given_as_a_string():
    assert MailMessage(to="a@example.test", subject="s", text="t").to == ("a@example.test",)


def test_a_text_only_message_is_a_single_plain_part():
    email = build_email(MailMessage(to="a@example.test", subject="Hello", text="Hi."), "Shop <shop@example.test>")
    assert (email.get_content_type(), email["From"], email["To"]) == ("text/plain", "Shop <shop@example.test>", "a@example.test")
    assert email["Message-ID"].endswith("@example.test>")


def test_text_html_and_an_attachment_make_a_mixed_message_with_an_alternative():
    email = build_email(MailMessage(to="a@example.test", subject="Hello", text="Hi.", html="<p>Hi.</p>",
                                    attachments=(Attachment("a.pdf", b"%PDF", "application/pdf"),)), "shop@example.test")
    assert email.get_content_type() == "multipart/mixed"
    assert [part.get_content_type() for part in email.walk()] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
