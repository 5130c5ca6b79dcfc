"""The bell's pages: my notifications, grouped by paper, and how I want to hear of each kind."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.db import will_write
from app.models import Category, Delivery
from app.services import notifications
from app.web import bp, forms
from app.web.auth import me


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
