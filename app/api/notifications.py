"""My notifications and how I want to hear about each kind."""

from __future__ import annotations

from apiflask import Schema, fields
from flask import current_app
from marshmallow import ValidationError, validates_schema

from app.api import bp, current_user
from app.api.schemas import OneOf, Strict
from app.models import Category, Delivery
from app.services import notifications
from app.web.i18n import notification_text

TAGS = ["Notifications"]


class NotificationQuery(Strict):
    unread = fields.Integer(
        load_default=0, validate=OneOf([0, 1]), metadata={"description": "1: unread only"}
    )


class NotificationOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer(allow_none=True)
    event = fields.String()
    category = fields.String()
    delivery = fields.String(metadata={"description": "immediately | digest (never off)"})
    text = fields.Function(lambda n: notification_text(n.event, n.params))
    url = fields.Function(lambda n: absolute(n.link))
    params = fields.Dict()
    actor_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    mailed_at = fields.DateTime(allow_none=True)


class NotificationListOut(Schema):
    unread_count = fields.Integer()
    notifications = fields.List(fields.Nested(NotificationOut))


class ReadIn(Strict):
    ids = fields.List(fields.Integer())
    all = fields.Boolean()

    @validates_schema
    def _one_of(self, data, **_kwargs):
        if bool(data.get("ids") is not None) == bool(data.get("all")):
            raise ValidationError("give either ids or all: true")


class ReadOut(Schema):
    marked = fields.Integer()
    unread_count = fields.Integer()


CHOICES = [str(d) for d in Delivery]
SettingsSchema = Schema.from_dict(
    {str(c): fields.String(validate=OneOf(CHOICES)) for c in Category}, name="NotificationSettings"
)


class SettingsIn(SettingsSchema):
    class Meta:
        unknown = "raise"


def absolute(link: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + link


@bp.get("/me/notifications")
@bp.input(NotificationQuery, location="query", arg_name="query")
@bp.output(NotificationListOut)
@bp.doc(tags=TAGS, summary="My notifications, newest first (?unread=1: the unread ones)")
def list_notifications(query):
    user = current_user()
    return {
        "unread_count": notifications.unread_count(user),
        "notifications": notifications.list_for(user, unread_only=bool(query["unread"])),
    }


@bp.post("/me/notifications/read")
@bp.input(ReadIn, arg_name="data")
@bp.output(ReadOut)
@bp.doc(tags=TAGS, summary="Mark notifications read: {ids: [...]} or {all: true}")
def read_notifications(data):
    user = current_user()
    marked = notifications.mark_read(user, None if data.get("all") else data["ids"])
    return {"marked": marked, "unread_count": notifications.unread_count(user)}


@bp.get("/me/notification-settings")
@bp.output(SettingsSchema)
@bp.doc(
    tags=TAGS,
    summary="How I hear about each category: immediately, daily digest, or off",
)
def get_notification_settings():
    return notifications.settings_of(current_user())


@bp.put("/me/notification-settings")
@bp.input(SettingsIn, arg_name="data")
@bp.output(SettingsSchema)
@bp.doc(tags=TAGS, summary="Change some categories (the others keep their choice)")
def put_notification_settings(data):
    return notifications.update_settings(current_user(), data)
