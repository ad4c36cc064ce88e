"""The outbox: every mail the site sent or failed to send, newest first, with a retry."""

from flask import Response, abort, flash, request
from flask_babel import gettext, lazy_gettext

from openinfra_live import mail
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, paginate, see_other
from openinfra_live.outbox import STATUSES, OutboxMail

MAILS_PER_PAGE = 50

# The filter's choices, in words.
FILTERS = {
    "": lazy_gettext("All mails"),
    mail.QUEUED: lazy_gettext("Waiting"),
    mail.SENT: lazy_gettext("Sent"),
    mail.FAILED: lazy_gettext("Failed"),
}


@bp.get("/outbox")
@moderator_required
def outbox() -> Response:
    """Mails, newest first; ``?status=`` filters (queued, sent, failed), ``?page=`` pages."""
    status = request.args.get("status", "").strip()
    if status and status not in STATUSES:
        abort(400, description=gettext("Unknown status filter."))
    query = db.select(OutboxMail).order_by(OutboxMail.queued_at.desc(), OutboxMail.id.desc())
    if status:
        query = query.where(OutboxMail.status == status)
    counts = dict(
        db.session.execute(
            db.select(OutboxMail.status, db.func.count()).group_by(OutboxMail.status)
        ).all()
    )
    return page(
        "moderation/outbox.html",
        mails=paginate(query, MAILS_PER_PAGE),
        filters=FILTERS,
        selected=status,
        counts=counts,
    )


@bp.post("/outbox/<int:mail_id>/retry")
@moderator_required
def retry_mail(mail_id: int) -> Response:
    """Send a failed mail again and say what happened."""
    if db.session.get(OutboxMail, mail_id) is None:
        abort(404)
    sent = mail.retry(mail_id)
    if sent is None:
        flash(
            gettext(
                "This mail is not waiting for a retry: it was sent meanwhile, or is being sent."
            ),
            "info",
        )
    elif sent.status == mail.SENT:
        flash(gettext("The mail to %(email)s was sent.", email=sent.recipient), "success")
    else:
        flash(
            gettext(
                "The mail to %(email)s could not be sent: %(reason)s",
                email=sent.recipient,
                reason=sent.failure,
            ),
            "error",
        )
    status = request.form.get("status", "")
    return see_other("moderation.outbox", status=status if status in STATUSES else None)
