"""LoginCode moved to the judging app: drop it from scoring's state only.

The table stays; ``judging.0001_initial`` takes it over (and renames it), so existing
codes keep working.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_login_code"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LoginCode")],
            database_operations=[],
        ),
    ]
