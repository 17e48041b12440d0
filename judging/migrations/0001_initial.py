"""LoginCode, moved here from scoring with its rows.

The model is created in the state only, over the existing ``scoring_logincode`` table
(made by ``scoring.0004_login_code``), then that table is renamed. The content type is
relabelled too, so permissions granted on login codes stay granted. On a fresh
database there is no content type yet, and the relabelling does nothing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="judging", model="logincode").exists():
        ContentType.objects.using(db).filter(app_label="scoring", model="logincode").update(app_label="judging")


def unlabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="scoring", model="logincode").exists():
        ContentType.objects.using(db).filter(app_label="judging", model="logincode").update(app_label="scoring")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("scoring", "0005_move_login_code_to_judging"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LoginCode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("digest", models.CharField(max_length=64, unique=True, verbose_name="摘要")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="签发时间")),
                        ("expires_at", models.DateTimeField(verbose_name="过期时间")),
                        ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="使用时间")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
                        (
                            "issued_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="签发人",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="login_codes",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "登录二维码",
                        "verbose_name_plural": "登录二维码",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "scoring_logincode",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="logincode", table=None),
        migrations.RunPython(relabel_content_type, unlabel_content_type),
    ]
