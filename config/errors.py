"""Domain errors, and the one registry of their codes.

Every refusal a client can get from the domain has a stable code in ``ERRORS``: its
HTTP status and one translatable message, defined here once. Services and views raise
by code (``raise error("sheet_locked")``); the API turns the error into the status and a
body ``{"code", "detail", "field"?}``. Tests assert the code, not the wording. Nothing a
client sends should ever surface as a 500.

A message may take named parameters (``error("file_too_large", limit=5)``). Where a pure
module below (the scheme validator, the spreadsheet reader) has already worked out a
more precise reason, it is passed as ``detail=`` and the code still says what it is.
The OpenAPI description lists every code (``openapi_error_codes``).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


@dataclass(frozen=True)
class ErrorCode:
    status: int
    message: str


def _codes(status_code: int, messages: dict) -> dict[str, ErrorCode]:
    return {code: ErrorCode(status_code, message) for code, message in messages.items()}


ERRORS: dict[str, ErrorCode] = {
    # ---- anywhere
    **_codes(
        400,
        {
            "invalid": _("输入有误。"),
            "integrity": _("与已有数据冲突（重复或引用无效）。"),
            "does_not_exist": _("对象不存在。"),
            "reason_required": _("必须填写原因。"),
            "entries_required": _("请至少指明一个参赛号。"),
            # config.api and config.text: what every input goes through
            "unknown_field": _("未知字段。"),
            "bad_characters": _("含有不允许的字符（控制字符或文字方向控制符）。"),
            "text_too_long": _("内容过长：最多 %(limit)s 个字符。"),
            "page_invalid": _("页码应为正整数。"),
            "value_out_of_range": _("数值超出允许范围。"),
        },
    ),
    **_codes(403, {"forbidden": _("您没有执行此操作的权限。")}),
    # ---- rate limits (config.throttling) and sign-in
    **_codes(
        429,
        {
            "throttled": _("请求过于频繁，请 %(wait)s 秒后再试。"),
            "locked_out": _("登录失败次数过多，该账号已暂时锁定，请稍后再试。"),
        },
    ),
    **_codes(400, {"invalid_credentials": _("用户名或密码不正确。")}),
    **_codes(404, {"not_found": _("没有找到。")}),
    **_codes(409, {"conflict": _("与当前状态冲突。"), "protected": _("仍有数据引用该对象，不能删除。")}),
    # ---- roles (competitions.access)
    **_codes(
        403,
        {
            "not_organiser": _("只有本比赛的组织者可以执行此操作。"),
            "not_chief_judge": _("只有裁判长可以执行此操作。"),
            "not_assigned": _("您不是本项目的裁判。"),
            "conflict_of_interest": _("裁判不得为本单位的参赛者评分。"),
        },
    ),
    # ---- competitions: set-up, draws, roster import
    **_codes(
        400,
        {
            "organisation_cycle": _("上级单位不能是本单位或其下级单位。"),
            "organiser_event": _("组织者的分工针对整个比赛，不能指定项目。"),
            "parent_immutable": _("不能移到其他比赛或项目。"),
            "event_has_entries": _("项目已有参赛登记，不能更改类型。"),
            "event_not_in_competition": _("项目不属于该比赛。"),
            "assignment_other_competition": _("项目不属于该比赛。"),
            "contestant_other_competition": _("参赛队不属于该比赛。"),
            "entry_holder_missing": _("个人项目须登记选手，团体项目须登记参赛队。"),
            "entry_wrong_holder": _("个人项目只能登记选手，团体项目只能登记参赛队。"),
            "entry_other_competition": _("选手或参赛队不属于该项目所在的比赛。"),
            "publication_read_only": _(
                "成绩公布方式由实时成绩模块管理，请用 PUT /api/v1/competitions/%(id)s/publication/ 修改。"
            ),
            "no_entries": _("该项目还没有参赛登记，无法抽签。"),
            "no_late_entries": _("没有需要补抽的参赛登记：每个参赛者都已抽过。"),
            "redraw_needs_reason": _("重新抽签必须填写原因。"),
            "import_has_errors": _("导入文件有 %(count)s 处错误，未导入任何数据。"),
            "import_empty": _("导入文件没有可导入的行。"),
            "criterion_not_importable": _("只有指定一名裁判评分的评分项（如计时、测量、理论成绩）可以导入成绩。"),
            "file_invalid": _("无法读取文件：请上传 Excel .xlsx 文件。"),
            "file_too_large": _("文件过大：最大 %(limit)s MB。"),
            "file_empty": _("文件是空的：第1行应为列名。"),
            "missing_columns": _("缺少必需的列。"),
            "too_many_rows": _("行数过多。"),
            # competitions.imports.check_archive: a small upload that would unpack to too much
            "file_too_many_parts": _("文件包含的部件过多。"),
            "file_unpacked_too_large": _("文件解压后过大。"),
            "file_too_many_strings": _("文件中的文字过多。"),
            "file_row_too_wide": _("一行中的单元格过多。"),
            "cell_too_long": _("单元格内容过长。"),
            "no_rows": _("文件中没有数据行。"),
        },
    ),
    **_codes(
        409,
        {
            "scoring_started": _("该项目已开始评分，不能重新抽签。"),
            "no_draw_yet": _("该项目还没有抽过签：请先为全部参赛者抽签。"),
            "redraw_not_confirmed": _("重新抽签会改变全部已抽结果，请确认后再抽。"),
        },
    ),
    # ---- scoring: schemes
    **_codes(
        400,
        {
            # The scheme validator's codes (scoring.validation); the first problem names the field.
            "scheme_invalid": _("评分方案有误。"),
            "required": _("必须填写。"),
            "empty_scheme": _("评分方案至少需要一个评分项。"),
            "duplicate_code": _("评分项代号重复。"),
            "unknown_kind": _("未知的评分项类型。"),
            "unknown_aggregation": _("未知的汇总方式。"),
            "unknown_combine": _("未知的轮次合并方式。"),
            "unknown_part": _("未知的成绩部分。"),
            "unknown_ranking": _("未知的排名方式。"),
            "max_not_positive": _("满分必须大于0。"),
            "min_negative": _("最低分不能为负数。"),
            "min_not_below_max": _("最低分必须小于满分。"),
            "step_not_positive": _("评分步长必须大于0。"),
            "step_not_divisor": _("评分步长必须能整除分值范围。"),
            "weight_negative": _("权重不能为负数。"),
            "weight_not_positive": _("权重必须大于0。"),
            "weights_sum": _("理论与实操权重之和必须为1。"),
            "theory_weight_over_ceiling": _("理论成绩最多占总成绩的30%。"),
            "theory_weight_zero": _("有理论评分项，但理论权重为0。"),
            "theory_criteria_missing": _("设置了理论权重，但没有理论评分项。"),
            "attempts_not_positive": _("轮次数必须大于0。"),
            "multiplier_not_positive": _("难度系数必须大于0。"),
            "multipliers_length": _("难度系数的个数必须与轮次数相同。"),
            "trim_missing": _("去掉最高分和最低分的方式需要设置去掉的个数。"),
            "trim_negative": _("去掉的个数不能为负数。"),
            "trim_not_trimmed": _("只有去掉最高分和最低分的方式可以设置去掉的个数。"),
            "panel_too_small": _("裁判人数不足以去掉最高分和最低分。"),
            "measurement_not_panel": _("测量项只能由一名裁判录入。"),
            "penalty_unit_not_allowed": _("该评分项不能设置单位罚分。"),
            "decimals_out_of_range": _("小数位数超出范围。"),
            "count_negative": _("获奖名额不能为负数。"),
            "percent_out_of_range": _("获奖比例必须在0到100之间。"),
            "min_entrants_negative": _("最少参赛人数不能为负数。"),
            "score_criterion_missing": _("按得分排名需要至少一个计分的评分项。"),
            "time_criterion_missing": _("按用时排名需要一个计时评分项。"),
            "unknown_time_conversion": _("未知的用时折算方式。"),
            "time_conversion_not_time": _("只有计时评分项可以折算用时。"),
            "time_points_missing": _("用时折算需要设置折算满分（大于0）。"),
            "time_band_invalid": _("线性折算需要标准用时和限时，且标准用时小于限时。"),
            "unknown_provisional_rows": _("未知的未评完成绩处理方式。"),
            "criterion_judge_not_in_event": _("指定的裁判不是本项目的裁判。"),
        },
    ),
    **_codes(
        409,
        {
            "scheme_has_marks": _("评分方案已有评分，只能通过修订变更。"),
            "criterion_has_marks": _("已有评分的评分项不能删除。"),
            "entries_have_marks": _("已有评分，不能删除：删除会抹掉评分记录。"),
        },
    ),
    # ---- matches: head-to-head events
    **_codes(
        400,
        {
            "best_of_odd": _("局数必须是奇数（如三局两胜）。"),
            "group_count_invalid": _("小组数不合适：每组至少两队。"),
            "roster_team_only": _("只有团体参赛登记才有队员名单。"),
            "roster_not_team_member": _("该队员不属于本队。"),
        },
    ),
    **_codes(
        409,
        {
            "not_match_event": _("该项目不是对抗赛项目。"),
            "too_few_teams": _("至少需要两支队伍。"),
            "matches_started": _("比赛已经开始，不能再抽签或改变赛制。"),
            "match_version_conflict": _("该场比赛已被他人更新，请刷新后再试。"),
            "match_not_ready": _("该场比赛的对阵尚未确定。"),
            "match_decided": _("该场比赛已决出胜负。"),
            "match_not_decided": _("该场比赛尚未决出胜负，不能确认。"),
            "match_downstream_played": _("下一轮比赛已经开始，不能再改变本场胜方。"),
            "roster_incomplete": _("上场队员人数不符（应为 %(pullers)s 人），不能开赛。"),
            "weigh_in_missing": _("有上场队员未称重，不能开赛。"),
            "roster_overweight": _("上场队员体重合计 %(total)s 公斤，超过上限 %(limit)s 公斤，不能开赛。"),
            "roster_gender_mix": _("上场队员男女人数不符合规定，不能开赛。"),
        },
    ),
    # ---- scoring: marks (the mark-value codes come from scoring.validation)
    **_codes(
        400,
        {
            "marks_required": _("至少提交一条评分。"),
            "idempotency_key_required": _("缺少幂等键。"),
            "idempotency_key_invalid": _("幂等键过长。"),
            "idempotency_key_reused": _("该幂等键已用于另一份不同的提交。"),
            "entry_not_in_event": _("该参赛登记不属于本项目。"),
            "unknown_criterion": _("评分方案中没有该评分项。"),
            "attempt_out_of_range": _("轮次超出范围。"),
            "duplicate_mark": _("同一批次中重复提交了同一项评分。"),
            "unknown_judge": _("裁判不存在。"),
            "unknown_appeal": _("申诉不存在。"),
            "appeal_not_in_event": _("该申诉不属于本项目。"),
            "out_of_range": _("超出评分范围"),
            "off_step": _("不符合评分步长"),
            "too_precise": _("小数位数过多"),
            "not_a_number": _("不是有效的数字"),
            "value_required": _("必须填写分值"),
            "unknown_status": _("状态无效"),
            "status_not_allowed": _("该评分项不能使用此状态"),
            "penalty_negative": _("罚分不能为负数"),
            "penalty_not_allowed": _("该评分项不能填写罚分"),
            "penalty_out_of_range": _("罚分超出范围"),
        },
    ),
    **_codes(
        403,
        {
            "criterion_not_assigned": _("该评分项只由指定的裁判评分。"),
            "not_on_panel": _("您不在该评分项的裁判组中，不能录入自己的评分。"),
        },
    ),
    # ---- scoring: declared attempts (dive lists)
    **_codes(
        400,
        {
            "duplicate_attempt": _("同一轮次重复申报。"),
            "difficulty_invalid": _("难度系数必须是大于0、最多3位小数的数字。"),
        },
    ),
    **_codes(409, {"declared_attempts_frozen": _("该参赛者已开始评分，申报的动作和难度不能再修改。")}),
    **_codes(
        409,
        {
            "version_conflict": _("评分已被修改，请刷新后重试。"),
            "sheet_locked": _("评分表已锁定，不能修改。"),
            "sheet_not_locked": _("评分表尚未锁定。"),
        },
    ),
    **_codes(400, {"sheets_bulk_selection": _("请只用 sheets 或 entries 之一选择评分表；entries 只用于提交。")}),
    # ---- scoring: appeals
    **_codes(400, {"invalid_status": _("处理结果无效。"), "decision_required": _("必须填写处理决定。")}),
    **_codes(409, {"appeal_not_open": _("该申诉已处理完毕。")}),
    # ---- scoring: the results chain (scoring.results)
    **_codes(
        400,
        {
            "appeal_window_closed": _("申诉时限已过：须在项目结束后 %(hours)s 小时内提出。"),
            "appeal_unit_mismatch": _("申诉单位必须是该参赛者所属单位。"),
            "announcement_days_invalid": _("公示期须为 1 到 30 天。"),
            "objection_text_required": _("请填写姓名、联系方式和异议内容。"),
            "review_item_not_in_event": _("该复核项不属于本项目。"),
            "correction_required": _("更正须至少包含一项评分。"),
        },
    ),
    **_codes(
        403,
        {"not_reviewer": _("只有裁判长或复核员可以复核。"), "not_arbitrator": _("只有仲裁员或组织者可以裁决申诉。")},
    ),
    **_codes(
        409,
        {
            "results_incomplete": _("还有参赛者的评分未完成，不能结束评分。"),
            "sheets_not_locked": _("评分表尚未全部锁定。"),
            "results_stage_invalid": _("成绩流程当前阶段不允许此操作。"),
            "review_not_complete": _("复核尚未完成，不能解密或公示。"),
            "review_item_done": _("该复核项已处理。"),
            "results_not_decoded": _("成绩尚未解密，不能公示。"),
            "not_announced": _("成绩尚未公示。"),
            "announcement_not_over": _("公示期尚未结束。"),
            "announcement_over": _("公示期已结束，不再受理异议。"),
            "objections_open": _("还有未处理或成立的异议，成绩不能确认。"),
            "appeals_open": _("还有未裁决的申诉，不能解密、公示或确认成绩。"),
            "objection_not_open": _("该异议已处理。"),
            "results_not_final": _("成绩尚未最终确认，不能颁发获奖证书。"),
        },
    ),
    # ---- blind marking (盲评 / 解密)
    **_codes(400, {"entry_by_code": _("裁判须用参赛号指明参赛者。")}),
    **_codes(
        403,
        {
            "standings_blind": _("盲评项目解密前不公布名次和总分。"),
            "not_decoded": _("解密前不公布姓名、队名和单位的成绩。"),
        },
    ),
    # ---- live
    **_codes(400, {"invalid_policy": _("未知的公布方式。")}),
    **_codes(409, {"not_reveal_mode": _("当前不是颁奖揭晓模式。"), "reveal_finished": _("所有名次已经揭晓。")}),
    # ---- certificates
    **_codes(
        400,
        {
            "certificate_invalid": _("证书信息有误。"),
            "award_level_invalid": _("奖项等级必须是 1、2 或 3。"),
            "holder_invalid": _("证书必须有且只有一个获奖者。"),
            "kind_invalid": _("证书类型无效。"),
            "holder_kind_mismatch": _("获奖者类型与证书类型不符。"),
            "holder_not_in_competition": _("获奖者不属于该比赛。"),
            "holder_name_missing": _("获奖者姓名为空，无法发证。"),
            "event_required": _("个人奖和团体奖必须指定项目。"),
            "template_invalid": _("模板语法错误：%(error)s"),
        },
    ),
    **_codes(
        404,
        {"certificate_not_found": _("没有找到与证书编号和姓名相符的证书。"), "file_not_ready": _("文件尚未生成。")},
    ),
    **_codes(409, {"already_revoked": _("该证书已撤销。")}),
    **_codes(
        500,
        {
            "render_failed": _("证书生成失败。"),
            "render_overflow": _("证书排版溢出。"),
            "font_subset_failed": _("无法生成字体子集。"),
        },
    ),
    **_codes(
        503,
        {
            "server_busy": _("服务器繁忙，请 %(wait)s 秒后再试。"),
            "renderer_unavailable": _("证书生成服务不可用。"),
            "cjk_font_missing": _(
                "找不到中文字体（fc-list :lang=zh 为空），拒绝生成会显示为方框的证书。请安装 fonts-noto-cjk。"
            ),
            "harfbuzz_subset_missing": _(
                "缺少 libharfbuzz-subset0：证书生成会极慢，已拒绝运行。请安装 libharfbuzz-subset0（make install）。"
            ),
        },
    ),
    # ---- quizzes: online knowledge contests
    **_codes(
        400,
        {
            "quiz_mobile_invalid": _("请输入11位手机号码。"),
            "quiz_unit_outside": _("请选择本次竞赛范围内的单位。"),
            "quiz_position_invalid": _("题号无效。"),
            "quiz_answer_invalid": _("答案格式无效。"),
            "quiz_question_invalid": _("试题有误。"),
        },
    ),
    **_codes(
        403,
        {"quiz_not_on_roster": _("您不在本轮答题名单内。"), "quiz_not_signed_in": _("请先登记姓名、手机号和单位。")},
    ),
    **_codes(
        409,
        {
            "quiz_round_closed": _("本轮答题不在开放时间内。"),
            "quiz_name_mismatch": _("该手机号已用另一个姓名登记。"),
            "quiz_daily_limit": _("今天的答题次数已用完（每天 %(limit)s 次）。"),
            "quiz_total_limit": _("答题次数已用完（共 %(limit)s 次）。"),
            "quiz_pool_too_small": _("题库中符合抽题规则的试题不足，请联系组织者。"),
            "quiz_deadline_passed": _("答题时间已到，答卷已自动提交。"),
            "quiz_attempt_closed": _("这份答卷已经提交。"),
            "quiz_not_flagged": _("这份答卷没有被标记待审。"),
            "quiz_no_candidates": _("没有符合条件的抽奖对象。"),
        },
    ),
    # ---- judging: login QR codes, judge accounts
    **_codes(
        400,
        {
            "username_taken": _("该用户名已被使用。"),
            "login_code_invalid": _("登录二维码无效。"),
            "login_code_expired": _("登录二维码已过期，请向组织者领取新码。"),
            "login_code_revoked": _("登录二维码已被撤销，请向组织者领取新码。"),
            "login_code_used": _("登录二维码已使用过，每个码只能使用一次。"),
        },
    ),
}


class DomainError(Exception):
    """A rule of the domain was broken. ``code`` is a key of ``ERRORS``, which gives the status and message.

    ``detail`` replaces the registry's message where a lower module worked out a more
    precise reason; ``params`` fill the message's ``%(name)s`` placeholders.
    """

    code = "invalid"

    def __init__(self, code: str | None = None, *, field=None, extra=None, detail=None, **params):
        self.code = code or self.code
        spec = ERRORS[self.code]
        self.status = spec.status
        message = spec.message if detail is None else detail
        self.message = message % params if params and detail is None else message
        super().__init__(self.message)
        self.field = field
        self.extra = extra or {}


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


_CLASS_BY_STATUS = {403: Forbidden, 404: NotFound, 409: Conflict}


def error(code: str, *, field=None, extra=None, detail=None, **params) -> DomainError:
    """The error for ``code``: a ``Forbidden``, ``NotFound`` or ``Conflict`` by its status, else a ``DomainError``."""
    cls = _CLASS_BY_STATUS.get(ERRORS[code].status, DomainError)
    return cls(code, field=field, extra=extra, detail=detail, **params)


def message(code: str) -> str:
    """The registry's message for ``code`` (for pages that show a refusal rather than raise it)."""
    return ERRORS[code].message


def openapi_error_codes(result, generator, request, public):
    """drf-spectacular postprocessing hook: list every error code, its status and message in the description."""
    lines = ["", "", "## Error codes", "", "| code | status | message |", "|---|---|---|"]
    lines += [f"| `{code}` | {spec.status} | {spec.message} |" for code, spec in sorted(ERRORS.items())]
    info = result.setdefault("info", {})
    info["description"] = (info.get("description") or "") + "\n".join(lines)
    return result


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
            body["errors"] = {exc.field: [str(exc.message)]}
        body.update(exc.extra)
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DataError):
        # A value the column cannot hold (PostgreSQL: "integer out of range"): the client's, not a 500.
        exc = exceptions.ValidationError(
            detail={"non_field_errors": [message("value_out_of_range")]}, code="value_out_of_range"
        )
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(detail={"non_field_errors": [message("integrity")]}, code="integrity")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(exc, exceptions.Throttled):
            # DRF has set Retry-After; the body says the same in the registry's words.
            wait = max(1, int(exc.wait or 1))
            response.data = {"code": "throttled", "detail": message("throttled") % {"wait": wait}, "retry_after": wait}
        elif isinstance(exc, exceptions.ValidationError):
            response.data = {"code": "invalid", "detail": message("invalid"), "errors": data}
            first = _first_error(data)
            if first is not None:
                # The first offending field and its reason, as a DomainError gives them; its code too
                # when the registry has it (``unknown_field``, ``bad_characters``, ``required``…).
                response.data["field"], response.data["detail"] = first[0], str(first[1])
                code = getattr(first[1], "code", None)
                if code in ERRORS and ERRORS[code].status == 400:
                    response.data["code"] = code
        elif isinstance(data, dict) and "detail" in data:
            response.data = {"code": getattr(data["detail"], "code", exc.default_code), "detail": data["detail"]}
    return response


def _first_error(data, path: str = "") -> tuple[str, object] | None:
    """``(field, message)`` of the first leaf of a DRF error structure, named like ``marks[0].value``."""
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return path or "non_field_errors", data[0]
    if isinstance(data, dict):
        # A nested serializer's own errors belong to the field that holds it.
        # A list's errors come keyed by index (``{0: {...}}``): named ``marks[0]`` like a list's.
        items = (
            (
                f"{path}[{key}]"
                if isinstance(key, int)
                else path
                if key == "non_field_errors" and path
                else f"{path}.{key}"
                if path
                else key,
                value,
            )
            for key, value in data.items()
        )
    elif isinstance(data, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(data))
    else:
        return path or "non_field_errors", data
    for name, value in items:
        found = _first_error(value, name)
        if found is not None:
            return found
    return None


BUSY_RETRY_AFTER_S = 2


def _database_busy(exc) -> bool:
    """Whether ``exc`` is the database connection pool running dry (every connection busy for its timeout)."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return type(cause).__name__ == "PoolTimeout" or "couldn't get a connection" in str(exc)


def server_error(request):
    """``handler500``: an overloaded database is a 503 with Retry-After, which clients retry; anything else is the
    stock 500. Under a burst every pooled connection can be busy for the pool's timeout: that is load, not a fault,
    and the phone's or tablet's queue sends the request again after the wait."""
    import sys

    from django.http import JsonResponse
    from django.views.defaults import server_error as stock_server_error

    if not _database_busy(sys.exc_info()[1]):
        return stock_server_error(request)
    body = {"code": "server_busy", "detail": str(message("server_busy") % {"wait": BUSY_RETRY_AFTER_S})}
    body["retry_after"] = BUSY_RETRY_AFTER_S
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response
