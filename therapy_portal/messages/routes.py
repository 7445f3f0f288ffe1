"""Secure messages. Partners name their threads by kind ("couple", "private": their own), never
by id; therapists reach a couple's threads by couple and scope ("couple", "A", "B")."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import audit, boundary, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.i18n import gettext
from therapy_portal.messages import services, unread
from therapy_portal.messages.crisis import FOR_THERAPISTS, NOT_FOR_EMERGENCIES, crisis_text
from therapy_portal.messages.forms import MessageForm
from therapy_portal.models import Role
from therapy_portal.models.messages import BODY_LIMIT
from therapy_portal.policy import messages as rules

bp = Blueprint("messages", __name__)
therapist_only = policy.requires(Role.THERAPIST)
partner_only = policy.requires(Role.CLIENT)
KIND = "<any(couple,private):kind>"
SCOPE = "/couples/<int:couple_id>/messages/<any(couple,A,B):scope>"


def _page(template: str, **context):
    return render_template(
        template,
        not_for_emergencies=(
            gettext(NOT_FOR_EMERGENCIES) if current_user.role == Role.CLIENT else FOR_THERAPISTS
        ),
        crisis=crisis_text(current_user.practice),
        limit=BODY_LIMIT,
        **context,
    )


def _form() -> MessageForm:
    pending = take_pending_form() if request.method == "GET" else None
    return MessageForm(formdata=pending) if pending else MessageForm()


def _thread_page(place: rules.ThreadPlace, form: MessageForm, **context):
    view = services.read_thread(current_user, place, request.args.get("after", type=int))
    return _page("messages/thread.html", view=view, form=form, **context)


# ------------------------------------------------------------------------------------ partner
@bp.get("/messages")
@partner_only
@audit.reads("message.list_view")
def partner_index():
    policy.membership_for_partner_or_404(current_user)
    counts = unread.unread_for_partner(current_user)
    return _page("messages/partner_index.html", counts=counts)


@bp.get(f"/messages/{KIND}")
@partner_only
@audit.reads("message.thread_view", "message_thread")
def partner_thread(kind: str):
    place = rules.thread_for_partner_or_404(current_user, kind)
    return _thread_page(place, _form(), kind=kind)


@bp.post(f"/messages/{KIND}")
@partner_only
def partner_send(kind: str):
    place = rules.thread_for_partner_or_404(current_user, kind)
    form = MessageForm()
    return boundary.submit(
        form,
        lambda: services.send(current_user, place, form.body.data),
        render=lambda: _thread_page(
            rules.thread_for_partner_or_404(current_user, kind), form, kind=kind
        ),
        then=url_for("messages.partner_thread", kind=kind),
        done=gettext("Message sent."),
    )


# ---------------------------------------------------------------------------------- therapist
def _therapist_place(couple_id: int, scope: str) -> rules.ThreadPlace:
    return rules.thread_for_therapist_or_404(current_user, couple_id, scope)


@bp.get("/messages/inbox")
@therapist_only
@audit.reads("message.inbox_view")
def inbox():
    page = unread.inbox(current_user, request.args.get("after", type=int))
    return _page("messages/inbox.html", page=page)


@bp.get("/couples/<int:couple_id>/messages")
@therapist_only
@audit.reads("message.couple_view", "couple", "couple_id")
def couple_threads(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    waiting = unread.unread_for_therapist(current_user, couple.id)
    counts = {u.scope: u.unread for u in waiting}
    return _page("messages/couple.html", couple=couple, counts=counts)


@bp.get(SCOPE)
@therapist_only
@audit.reads("message.thread_view", "couple", "couple_id")
def therapist_thread(couple_id: int, scope: str):
    place = rules.thread_for_therapist_or_404(current_user, couple_id, scope)
    return _thread_page(place, _form(), action_form=FlaskForm())


@bp.post(SCOPE)
@therapist_only
def therapist_send(couple_id: int, scope: str):
    place = rules.thread_for_therapist_or_404(current_user, couple_id, scope)
    form = MessageForm()
    return boundary.submit(
        form,
        lambda: services.send(current_user, place, form.body.data),
        render=lambda: _thread_page(
            _therapist_place(couple_id, scope), form, action_form=FlaskForm()
        ),
        then=url_for("messages.therapist_thread", couple_id=couple_id, scope=scope),
        done=gettext("Message sent."),
    )


@bp.post(f"{SCOPE}/handled")
@therapist_only
def mark_handled(couple_id: int, scope: str):
    place = rules.thread_for_therapist_or_404(current_user, couple_id, scope)
    back = url_for("messages.therapist_thread", couple_id=couple_id, scope=scope)
    if not FlaskForm().validate_on_submit():
        return boundary.press(lambda: None, then=back)
    return boundary.press(
        lambda: services.mark_handled(current_user, place),
        then=url_for("messages.inbox"),
        done=gettext("Marked as handled. A new message from a partner brings the thread back."),
        back=back,
    )
