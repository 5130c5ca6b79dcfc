"""The bell's pages: my notifications, grouped by paper, and how I want to hear of each kind."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.db import session, will_write
from app.mail.messages import read_unsubscribe_token
from app.models import Category, Delivery, User
from app.services import notifications
from app.web import bp, forms
from app.web.auth import me
from app.web.security import csrf


@bp.get("/notifications")
def notifications_page():
    user = me()
    unread_only = request.args.get("unread") == "1"
    return render_template(
        "notifications/list.html",
        groups=notifications.grouped_by_paper(user, unread_only=unread_only),
        unread_only=unread_only,
    )


@bp.get("/notifications/<int:notification_id>")
def open_notification(notification_id: int):
    """Follow a notification: it is read, and the page it is about opens."""
    will_write()
    user = me()
    item = notifications.get_for(user, notification_id)
    if item is None:
        abort(404)
    notifications.mark_read(user, [item.id])
    return redirect(item.link)


@bp.post("/notifications/read")
def read_notifications():
    user = me()
    if request.form.get("all"):
        notifications.mark_read(user)
        flash(_("Every notification is marked read."), "success")
    else:
        notifications.mark_read(user, [int(i) for i in request.form.getlist("id") if i.isdigit()])
    return redirect(forms.back_to(url_for("web.notifications_page")))


@bp.route("/account/notifications", methods=["GET", "POST"])
def notification_settings():
    user = me()
    if request.method == "POST":
        notifications.update_settings(
            user, {str(c): request.form[str(c)] for c in Category if str(c) in request.form}
        )
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("web.notification_settings"))
    return render_template(
        "notifications/settings.html",
        settings=notifications.settings_of(user),
        categories=[str(c) for c in Category],
        deliveries=[str(d) for d in Delivery],
    )


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """The link in every mail: stop that kind of mail. A mail client's one-click POST (RFC
    8058) needs no session; a person's GET shows what the button will do."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, category = found
    user = session.get(User, user_id)
    if user is None or category not in {str(c) for c in Category}:
        abort(404)
    if request.method == "POST":
        notifications.update_settings(user, {category: str(Delivery.OFF)})
        return render_template("notifications/unsubscribed.html", category=category, done=True)
    return render_template("notifications/unsubscribed.html", category=category, done=False)
