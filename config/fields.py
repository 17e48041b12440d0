"""Serializer fields the whole API shares.

Datetimes are RFC 3339. DRF writes them in the current time zone (Asia/Shanghai) with
``isoformat()``; before 1901 that zone is local mean time, +08:05:43, an offset with seconds
that RFC 3339 has no way to write. Such a value is written in UTC instead. Every serializer
gets this field for a model's DateTimeField (``competitions.apps``), and declares it for others.
"""

from datetime import UTC, timedelta

from rest_framework import serializers

_MINUTE = timedelta(minutes=1)


class DateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        value = super().enforce_timezone(value)
        offset = value.utcoffset()
        if offset is not None and offset % _MINUTE:
            return value.astimezone(UTC)
        return value
