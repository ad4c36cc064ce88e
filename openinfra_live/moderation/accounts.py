"""Accounts, for admins: invite moderators, deactivate and reactivate, change roles, resets.

Every action is a verb of ``auth.accounts`` or ``auth.links`` (each writes its audit entry);
a refused action is flashed and changes nothing.
"""

from collections.abc import Callable

from flask import Response, abort, flash
from flask_babel import gettext
from flask_login import current_user

from openinfra_live import workflow
from openinfra_live.auth import accounts as account_services
from openinfra_live.auth import links
from openinfra_live.auth.forms import ConfirmForm, InviteForm, RoleForm
from openinfra_live.auth.models import (
    PURPOSE_INVITE,
    ROLE_ADMIN,
    ROLE_LABELS,
    AccountToken,
    User,
)
from openinfra_live.auth.permissions import admin_required
from openinfra_live.auth.services import AccountError
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, description=gettext("There is no account #%(id)d.", id=user_id))
    return user


def _listing(invite_form: InviteForm | None = None, status: int = 200) -> Response:
    return page(
        "moderation/accounts.html",
        status,
        accounts=account_services.all_accounts(),
        invitations=account_services.pending_invitations(),
        invite_form=invite_form or InviteForm(formdata=None),
        role_form=RoleForm,
        confirm_form=ConfirmForm(),
        role_labels=ROLE_LABELS,
        me=current_user.id,
    )


def _act(change: Callable[[], object], done: str) -> Response:
    """Make ``change`` and commit (sending its mails), or roll back and flash why not."""
    if not ConfirmForm().validate_on_submit():
        abort(
            400,
            description=gettext("The form could not be read; reload the page and try again."),
        )
    try:
        change()
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("moderation.accounts")
    workflow.commit()
    flash(done, "success")
    return see_other("moderation.accounts")


@bp.get("/accounts/")
@admin_required
def accounts() -> Response:
    """Every account (e-mail, name, role, active, last sign-in) and pending invitations."""
    return _listing()


@bp.post("/accounts/invite")
@admin_required
def account_invite() -> Response:
    """Invite a moderator by e-mail: a one-time link valid for 48 hours."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _listing(form, 422)
    try:
        row = account_services.invite(form.email.data, actor=current_user)
        address = row.email
    except AccountError as error:
        db.session.rollback()
        form.email.errors = [str(error)]
        return _listing(form, 422)
    workflow.commit()
    flash(
        gettext("Invitation sent to %(email)s. The link works for 48 hours.", email=address),
        "success",
    )
    return see_other("moderation.accounts")


@bp.post("/accounts/invitations/<int:invitation_id>/cancel")
@admin_required
def account_invitation_cancel(invitation_id: int) -> Response:
    """Make a pending invitation's link stop working."""
    row = db.session.get(AccountToken, invitation_id)
    if row is None or row.purpose != PURPOSE_INVITE:
        abort(404, description=gettext("There is no invitation #%(id)d.", id=invitation_id))
    email = row.email
    return _act(
        lambda: account_services.cancel_invitation(row, actor=current_user),
        gettext("The invitation of %(email)s is cancelled.", email=email),
    )


@bp.post("/accounts/<int:user_id>/deactivate")
@admin_required
def account_deactivate(user_id: int) -> Response:
    """Refuse an account any further sign-in; its sessions end."""
    user = _user_or_404(user_id)
    email = user.email
    return _act(
        lambda: account_services.deactivate(user, actor=current_user),
        gettext(
            "The account of %(email)s is deactivated; its sessions are signed out.", email=email
        ),
    )


@bp.post("/accounts/<int:user_id>/reactivate")
@admin_required
def account_reactivate(user_id: int) -> Response:
    """Let a deactivated account sign in again."""
    user = _user_or_404(user_id)
    email = user.email
    return _act(
        lambda: account_services.reactivate(user, actor=current_user),
        gettext("The account of %(email)s is active again.", email=email),
    )


@bp.post("/accounts/<int:user_id>/role")
@admin_required
def account_role(user_id: int) -> Response:
    """Make an account a moderator or an admin."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(gettext("Choose a role from the list."), "error")
        return see_other("moderation.accounts")
    email, role = user.email, form.role.data
    if role == ROLE_ADMIN:
        done = gettext("%(email)s is now admin.", email=email)
    else:
        done = gettext("%(email)s is now moderator.", email=email)
    return _act(lambda: account_services.change_role(user, role, actor=current_user), done)


@bp.post("/accounts/<int:user_id>/reset")
@admin_required
def account_reset(user_id: int) -> Response:
    """Mail an account a one-time link to choose a new password."""
    user = _user_or_404(user_id)
    email = user.email
    return _act(
        lambda: links.send_reset(user, actor=current_user),
        gettext(
            "A link to choose a new password was sent to %(email)s; it works for one hour.",
            email=email,
        ),
    )
