"""Demo data a Chongqing trade-union organiser would recognise.

``build_demo()`` is idempotent by *wipe and recreate*: the demo competitions are
found by slug (DRONE, COOKING, QUIZ, TUG, SPORTS and, with ``scale``, DISTRICT), deleted with
everything under them, and built again — except one that has been used (it has
marks, or certificates protect it), which is kept as it is. Organisations and
users are updated in place (update_or_create by name / username), so the ids of
the federation and of the demo logins stay stable across runs.

Everything random comes from one ``random.Random(SEED)``, and the draws go
through ``competitions.draw_services.draw_codes`` / ``draw_stations`` with fixed,
recorded seeds: two runs produce the same names, ID numbers, phone numbers,
codes and stations. Personal data is synthetic; ID numbers are nevertheless
valid GB 11643-1999 numbers (region code, birth date, sequence, checksum), so
imports and validators see realistic input.

The large district contest (``scale=True``: 14 events, 1514 contestants) is
written with ``bulk_create``; the draws update entries with ``bulk_update``.
"""

import datetime
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from competitions.draw_services import draw_codes, draw_stations
from competitions.models import (
    Competition,
    Contestant,
    Entry,
    Event,
    JudgeAssignment,
    Organisation,
    Team,
)
from competitions.validators import id_number_check_char, id_number_error
from demo import head_to_head
from demo.quiz_questions import bank_rows
from quizzes import papers
from quizzes.bank import stem_key
from quizzes.models import Attempt, Participant, Question, Result, Round, UnitHeadcount
from quizzes.services import KIND_LETTERS
from scoring.models import Criterion, Mark, MarkingScheme
from scoring.services import MarkInput, marks_submit

D = Decimal
SEED = 20261122
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed on purpose: these are demo logins

FEDERATION = ("重庆市总工会", "市总工会")
# (name, short name, GB/T 2260 region code) — region codes feed the ID numbers.
DISTRICTS = [
    ("渝中区总工会", "渝中区", "500103"),
    ("大渡口区总工会", "大渡口区", "500104"),
    ("江北区总工会", "江北区", "500105"),
    ("沙坪坝区总工会", "沙坪坝区", "500106"),
    ("九龙坡区总工会", "九龙坡区", "500107"),
    ("南岸区总工会", "南岸区", "500108"),
    ("北碚区总工会", "北碚区", "500109"),
    ("渝北区总工会", "渝北区", "500112"),
    ("巴南区总工会", "巴南区", "500113"),
    ("江津区总工会", "江津区", "500116"),
    ("合川区总工会", "合川区", "500117"),
]
# Seven districts send a second team: 11 + 7 = 18 teams.
TWO_TEAM_DISTRICTS = ("渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "渝北区", "巴南区")
INDUSTRY_UNIONS = [
    ("重庆市交通运输工会", "交通运输工会"),
    ("重庆市商贸金融工会", "商贸金融工会"),
    ("重庆市建设建材工会", "建设建材工会"),
    ("重庆市应急管理系统工会", "应急管理工会"),
]
OTHER_UNITS = [
    ("重庆市应急救援总队", "应急救援总队"),
    ("重庆市航空运动协会", "航空运动协会"),
    ("重庆市烹饪协会", "烹饪协会"),
    ("重庆市职业技能鉴定指导中心", "技能鉴定中心"),
]
# Catering enterprises, each under the district (by short name) it is in.
CATERING_ENTERPRISES = [
    ("重庆山城大酒店有限公司", "山城大酒店", "渝中区"),
    ("重庆朝天门宾馆有限公司", "朝天门宾馆", "渝中区"),
    ("重庆两江国际饭店有限公司", "两江国际饭店", "江北区"),
    ("重庆嘉陵江畔酒店管理有限公司", "嘉陵江畔酒店", "沙坪坝区"),
    ("重庆南山温泉度假酒店有限公司", "南山温泉酒店", "南岸区"),
    ("重庆市机关事务服务中心职工食堂", "机关职工食堂", "渝中区"),
    ("重庆九龙园区企业服务中心职工食堂", "九龙园区食堂", "九龙坡区"),
    ("重庆北碚缙云餐饮管理有限公司", "缙云餐饮", "北碚区"),
    ("重庆渝北空港美食城有限公司", "空港美食城", "渝北区"),
    ("重庆巴南鱼洞老火锅餐饮有限公司", "鱼洞餐饮", "巴南区"),
]
DISTRICT_CONTEST_HOST = "渝北区"
DISTRICT_CONTEST_ENTERPRISES = [
    "重庆空港汽车维修服务有限公司",
    "重庆两路美发连锁有限公司",
    "重庆仙桃数据谷科技有限公司",
    "重庆渝北供电服务有限公司",
    "重庆悦来钢结构工程有限公司",
    "重庆龙溪家政服务有限公司",
    "重庆渝北茶文化发展有限公司",
    "重庆空港快递物流有限公司",
    "重庆渝北出行科技有限公司",
    "重庆双凤桥养老服务中心",
    "重庆木耳镇面点食品有限公司",
    "重庆渝北精密机械有限公司",
    "重庆临空电子商务产业园有限公司",
    "重庆回兴街道社区卫生服务中心",
    "重庆宝圣湖酒店管理有限公司",
    "重庆龙塔物业管理有限公司",
    "重庆礼嘉建设集团有限公司",
    "重庆渝北公共交通有限公司",
]
# (code, title, contestants): 14 events, 1514 contestants in all.
DISTRICT_EVENTS = [
    ("auto-repair", "汽车维修工", 132),
    ("jianghu-cai", "渝北江湖菜烹饪", 118),
    ("hairdressing", "美发师", 104),
    ("graphic-design", "平面设计师", 96),
    ("electrician", "电工", 148),
    ("welder", "焊工", 126),
    ("infant-care", "育婴员", 102),
    ("tea-art", "茶艺师", 88),
    ("courier", "快递员", 120),
    ("ride-hailing", "网约车驾驶员", 110),
    ("elderly-care", "养老护理员", 116),
    ("pastry", "中式面点师", 84),
    ("cnc-turning", "数控车工", 78),
    ("e-commerce", "电子商务师", 92),
]

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_GIVEN = "伟强军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋峰磊亮成东文兵建国志海振江川松柏坤"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲婷雪琳颖倩洁萍红梅兰慧莉佳琪欣怡秀英华蓉露月晶璐婧雯瑶琴"
PHONE_PREFIXES = [str(p) for p in (*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 173, 177)]
PHONE_PREFIXES += [str(p) for p in (180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199)]


def is_valid_id_number(number: str) -> bool:
    """GB 11643 format and check character (the importer's rule), and a real birth date."""
    if id_number_error(number) is not None:
        return False
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return number[17] == id_number_check_char(number[:17])


class PersonGenerator:
    """Deterministic synthetic people: name, gender, unique ID number, unique phone."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def name(self, gender: str) -> str:
        chars = MALE_GIVEN if gender == "M" else FEMALE_GIVEN
        given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def id_number(self, region: str, gender: str) -> str:
        while True:
            born = datetime.date(1971, 1, 1) + datetime.timedelta(days=self.rng.randrange(0, 365 * 33))
            sequence = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)  # odd = male
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, region: str, gender: str | None = None) -> dict:
        gender = gender or self.rng.choice("MMF")
        return {
            "name": self.name(gender),
            "gender": gender,
            "id_number": self.id_number(region, gender),
            "phone": self.phone(),
        }


ROLE_LABELS = {
    JudgeAssignment.Role.ORGANISER: "组织者 Organiser",
    JudgeAssignment.Role.CHIEF_JUDGE: "裁判长 Chief judge",
    JudgeAssignment.Role.JUDGE: "裁判 Judge",
}


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str


@dataclass
class DemoSummary:
    competitions: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already used (marks…), so not rebuilt
    logins: list[DemoLogin] = field(default_factory=list)
    password: str = DEMO_PASSWORD


# ---------------------------------------------------------------- organisations


def _organisation(name: str, short_name: str, kind: str, parent: Organisation | None) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        name=name, defaults={"short_name": short_name, "kind": kind, "parent": parent}
    )
    return organisation


def _organisations() -> dict[str, Organisation]:
    """All demo units keyed by short name."""
    kind = Organisation.Kind
    federation = _organisation(*FEDERATION, kind.FEDERATION, None)
    units = {FEDERATION[1]: federation}
    for name, short, _region in DISTRICTS:
        units[short] = _organisation(name, short, kind.DISTRICT, federation)
    for name, short in INDUSTRY_UNIONS:
        units[short] = _organisation(name, short, kind.INDUSTRY, federation)
    for name, short in OTHER_UNITS:
        units[short] = _organisation(name, short, kind.OTHER, None)
    for name, short, district in CATERING_ENTERPRISES:
        units[short] = _organisation(name, short, kind.ENTERPRISE, units[district])
    return units


REGION_BY_SHORT = {short: region for _name, short, region in DISTRICTS}


# ---------------------------------------------------------------- users


@functools.cache
def _demo_password_hash() -> str:
    # Hashing is slow on purpose; all demo users share one hash, computed once per process.
    return make_password(DEMO_PASSWORD)


class _Users:
    """update_or_create the demo users, all with the demo password."""

    def __init__(self):
        self.password_hash = _demo_password_hash()
        self.logins: dict[str, DemoLogin] = {}

    def get(self, username: str, full_name: str, *, role: str, scope: str, staff=False, superuser=False):
        user, _ = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "first_name": full_name,
                "last_name": "",
                "password": self.password_hash,
                "is_staff": staff or superuser,
                "is_superuser": superuser,
                "is_active": True,
            },
        )
        login = self.logins.get(username)
        if login:
            if scope not in login.scope.split("；"):
                login.scope = f"{login.scope}；{scope}"
        else:
            self.logins[username] = DemoLogin(username, role, scope)
        return user


# ---------------------------------------------------------------- draws


def _draw_all(events: list[Event], drawn_by) -> None:
    """Both draws of each event, through the real services, with recorded fixed seeds.

    Entry codes (参赛号) first, then stations and start order (赛位号), as at a real
    competition; ``draw_replay`` can re-check every one of them.
    """
    for event in events:
        draw_codes(event=event, drawn_by=drawn_by, seed=f"{SEED}-{event.code}-code")
        draw_stations(event=event, drawn_by=drawn_by, seed=f"{SEED}-{event.code}-station")


# ---------------------------------------------------------------- marking schemes


def _scheme(event: Event, criteria: list[dict], **policy) -> MarkingScheme:
    scheme = MarkingScheme.objects.create(event=event, **policy)
    Criterion.objects.bulk_create(
        Criterion(scheme=scheme, position=position, **spec) for position, spec in enumerate(criteria, start=1)
    )
    return scheme


def _panel(code: str, title: str, maximum: str, description: str = "") -> dict:
    """A judgement criterion marked by 5 judges: drop the highest and the lowest, average 3."""
    return {
        "code": code,
        "title": title,
        "description": description,
        "kind": Criterion.Kind.JUDGEMENT,
        "max_value": D(maximum),
        "step": D("0.5"),
        "aggregation": Criterion.Aggregation.TRIMMED_MEAN,
        "trim": 1,
    }


def _measured(code: str, title: str, maximum: str, description: str = "", **extra) -> dict:
    spec = {
        "code": code,
        "title": title,
        "description": description,
        "kind": Criterion.Kind.MEASUREMENT,
        "max_value": D(maximum),
        "step": D("0.5"),
        "aggregation": Criterion.Aggregation.SINGLE,
    }
    return spec | extra


DRONE_INDIVIDUAL_CRITERIA = [
    _measured(
        "theory", "理论知识考试", "100", "闭卷机考，100题，满分100分；按30%计入总成绩。", part=Criterion.Part.THEORY
    ),
    _panel(
        "preflight", "飞行前检查", "20", "机体、动力、链路、载荷、空域与气象检查，5名裁判评分，去掉最高最低取平均。"
    ),
    _measured("drop", "定点精准投放", "30", "按物资落点与靶心距离折算得分。"),
    {
        "code": "rescue",
        "title": "限时搜索救援航线",
        "description": "计时项目：每次失误罚5秒，累计3次失误视为未完成（DNF）。",
        "kind": Criterion.Kind.TIME,
        "max_value": D("600"),
        "step": D("0.01"),
        "aggregation": Criterion.Aggregation.SINGLE,
        "penalty_per_unit": D("5"),
    },
]
DRONE_TEAM_CRITERIA = [
    _panel("plan", "协同任务规划", "30", "航线规划、分工与通信预案，5名裁判评分，去掉最高最低取平均。"),
    _measured("search", "编队搜索目标识别", "40", "按正确识别的目标数量折算得分。"),
    {
        "code": "relay",
        "title": "应急物资接力投送",
        "description": "计时项目：每次失误罚5秒。",
        "kind": Criterion.Kind.TIME,
        "max_value": D("900"),
        "step": D("0.01"),
        "aggregation": Criterion.Aggregation.SINGLE,
        "penalty_per_unit": D("5"),
    },
]
HOT_DISH_CRITERIA = [
    _panel("appearance", "观感", "20", "成型、刀工、色泽、装盘。"),
    _panel("taste", "味感", "40", "火候、调味，无异味。"),
    _panel("hygiene", "营养卫生", "20", "营养搭配合理，操作卫生规范。"),
    _panel("practicality", "实用性", "20", "适合职工食堂批量制作。"),
    {
        "code": "overtime",
        "title": "超时扣分",
        "description": "限时2小时，每超时1分钟扣0.5分，超时30分钟以上取消成绩。",
        "kind": Criterion.Kind.DEDUCTION,
        "max_value": D("30"),
        "step": D("1"),
        "aggregation": Criterion.Aggregation.SINGLE,
        "penalty_per_unit": D("0.5"),
    },
]
SKILL_CRITERIA = [
    _measured("theory", "理论知识", "100", "闭卷笔试，按30%计入总成绩。", part=Criterion.Part.THEORY),
    _panel("practical", "实际操作", "100", "按技能操作评分细则，5名裁判评分，去掉最高最低取平均。"),
]


# ---------------------------------------------------------------- competitions


def _staff(competition, users: _Users, units, *, organiser_unit: str, chief: tuple, panel=(), events=()) -> None:
    """Assign the organiser, a competition-wide chief judge and a judging panel on ``events``.

    ``chief`` and each panel member are (username, full name, unit short name).
    """
    role = JudgeAssignment.Role
    scope = competition.title
    organiser = users.get("organiser", "周文斌", role=ROLE_LABELS[role.ORGANISER], scope=scope, staff=True)
    chief_user = users.get(chief[0], chief[1], role=ROLE_LABELS[role.CHIEF_JUDGE], scope=scope)
    assignments = [
        JudgeAssignment(
            user=organiser, competition=competition, role=role.ORGANISER, organisation=units[organiser_unit]
        ),
        JudgeAssignment(user=chief_user, competition=competition, role=role.CHIEF_JUDGE, organisation=units[chief[2]]),
    ]
    for username, name, unit in panel:
        user = users.get(username, name, role=ROLE_LABELS[role.JUDGE], scope=scope)
        assignments += [
            JudgeAssignment(user=user, competition=competition, event=event, role=role.JUDGE, organisation=units[unit])
            for event in events
        ]
    JudgeAssignment.objects.bulk_create(assignments)
    _draw_all(list(competition.events.all()), organiser)


def _wipe(slug: str) -> Competition | None:
    """Delete the demo competition ``slug`` and everything under it, unless it has been used.

    A competition with marks is kept as it is (mark history is append-only, and a
    demo someone has scored in is worth keeping), and so is one that other data
    protects from deletion (e.g. certificates). Returns the kept competition, if any.
    """
    competition = Competition.objects.filter(slug=slug).first()
    if competition is None:
        return None
    if Mark.objects.filter(entry__event__competition=competition).exists():
        return competition
    try:
        with transaction.atomic():
            competition.delete()
    except (ProtectedError, RestrictedError, DatabaseError):
        return competition
    return None


def _keep(competition: Competition, users: _Users) -> None:
    """Refresh the logins of a kept competition (password reset, listed in the summary)."""
    for assignment in competition.assignments.select_related("user").order_by("role", "user_id"):
        user = assignment.user
        users.get(
            user.username,
            user.first_name,
            role=ROLE_LABELS[assignment.role],
            scope=competition.title,
            staff=user.is_staff,
            superuser=user.is_superuser,
        )


def _drone(units, users: _Users, people: PersonGenerator, rng: random.Random) -> Competition:
    competition = Competition.objects.create(
        title="2026年全市应急救援无人机操作职业技能竞赛",
        slug="DRONE",
        year=2026,
        host=units[FEDERATION[1]],
        venue="重庆市应急救援训练基地（渝北区）",
        starts_on=datetime.date(2026, 11, 21),
        ends_on=datetime.date(2026, 11, 22),
        status=Competition.Status.RUNNING,
        is_public=True,
    )
    team_event = Event.objects.create(
        competition=competition,
        code="team",
        title="团体赛：应急救援协同作业",
        kind=Event.Kind.TEAM,
        description="每队2名选手协同完成任务规划、编队搜索和物资接力投送。",
        stations=6,
        position=1,
    )
    individual_event = Event.objects.create(
        competition=competition,
        code="individual",
        title="个人赛：无人机应急救援操作",
        kind=Event.Kind.INDIVIDUAL,
        description="理论知识考试（占30%）与实操：飞行前检查、定点投放、限时搜救航线。",
        stations=6,
        position=2,
    )
    _scheme(team_event, DRONE_TEAM_CRITERIA, team_method=MarkingScheme.TeamMethod.SUM)
    _scheme(individual_event, DRONE_INDIVIDUAL_CRITERIA, theory_weight=D("0.3000"), practical_weight=D("0.7000"))

    teams = []
    for _name, short, _region in DISTRICTS:
        suffixes = ("一队", "二队") if short in TWO_TEAM_DISTRICTS else ("代表队",)
        teams.extend(Team(competition=competition, organisation=units[short], name=short + s) for s in suffixes)
    teams = Team.objects.bulk_create(teams)
    contestants = []
    for team in teams:
        short = team.organisation.short_name
        for _ in range(2):
            person = people.person(REGION_BY_SHORT[short])
            contestants.append(
                Contestant(
                    competition=competition,
                    organisation=team.organisation,
                    team=team,
                    job_title=rng.choice(("消防救援员", "应急救援员", "无人机驾驶员", "电力巡检员", "测绘员")),
                    **person,
                )
            )
    contestants = Contestant.objects.bulk_create(contestants)
    checked_in = Entry.Status.CHECKED_IN
    Entry.objects.bulk_create(
        [Entry(event=team_event, team=t, status=checked_in) for t in teams]
        + [Entry(event=individual_event, contestant=c, status=checked_in) for c in contestants]
    )

    # At most one judge per unit; judges 2 and 4 come from districts that field teams,
    # so conflict of interest (回避) is real in the demo.
    panel = [
        ("judge1", "刘建华", "应急救援总队"),
        ("judge2", "王海涛", "渝中区"),
        ("judge3", "张丽", "航空运动协会"),
        ("judge4", "李志强", "北碚区"),
        ("judge5", "赵雪梅", "应急管理工会"),
    ]
    _staff(
        competition,
        users,
        units,
        organiser_unit=FEDERATION[1],
        chief=("chief", "陈国平", "技能鉴定中心"),
        panel=panel,
        events=(team_event, individual_event),
    )
    _drone_team_results(team_event, rng)
    return competition


def _drone_team_results(event: Event, rng: random.Random) -> None:
    """The team event has been through the whole results chain: final and certified.

    The panel marks every team through ``marks_submit`` (judge1 also enters the measured
    search score and the relay time); then each step of ``scoring.results`` runs as at the
    venue: the chief judge closes marking, draws the review sample with a recorded seed,
    confirms every sampled team and decodes; the organiser announces. The demo is seeded
    after the fact, so the announcement period is moved into the past (announced four days
    ago for three days) before the organiser records the results as final and issues the
    team award certificates. The individual event and the cooking contest are still blind
    and being marked.
    """
    from certificates.batches import requests_for_event
    from certificates.services import certificates_issue_many
    from scoring import results
    from scoring.models import EventResults

    user_model = get_user_model()
    judges = list(user_model.objects.filter(username__in=[f"judge{n}" for n in range(1, 6)]).order_by("username"))
    chief = user_model.objects.get(username="chief")
    organiser = user_model.objects.get(username="organiser")
    entries = list(event.entries.select_related("team").order_by("start_order", "id"))
    units = dict(JudgeAssignment.objects.filter(event=event).values_list("user_id", "organisation_id"))
    quality = {entry.pk: rng.uniform(0.6, 0.95) for entry in entries}
    for judge in judges:
        marks = []
        for entry in entries:
            if entry.team.organisation_id == units[judge.pk]:
                continue  # recusal
            plan = min(
                D("30"), (D("30") * D(str(quality[entry.pk] + rng.uniform(-0.05, 0.05))) * 2).to_integral_value() / 2
            )
            marks.append(MarkInput(entry=entry.pk, criterion="plan", value=str(plan)))
            if judge.username == "judge1":
                search = (D("40") * D(str(quality[entry.pk])) * 2).to_integral_value() / 2
                relay = D(str(round(300 + (1 - quality[entry.pk]) * 400 + rng.uniform(0, 30), 2)))
                marks += [
                    MarkInput(entry=entry.pk, criterion="search", value=str(search)),
                    MarkInput(entry=entry.pk, criterion="relay", value=str(relay), penalty=str(rng.choice((0, 0, 1)))),
                ]
        marks_submit(
            judge=judge, event=event, marks=marks, idempotency_key=f"demo-team-{judge.username}", device="demo"
        )
    results.results_close_marking(actor=chief, event=event, reason="比赛结束，评分表全部锁定")
    results.results_draw_review(actor=chief, event=event, seed="demo-review-2026")
    for item in event.review_items.order_by("id"):
        results.review_item_confirm(actor=chief, item=item, note="与现场记录核对无误")
    results.results_decode(actor=chief, event=event, reason="监督员在场，解密")
    results.results_announce(actor=organiser, event=event, days=3, contact="竞赛组委会办公室 023-63891234")
    now = datetime.datetime.now(tz=datetime.UTC)
    EventResults.objects.filter(event=event).update(
        announced_at=now - datetime.timedelta(days=4), announcement_ends_at=now - datetime.timedelta(days=1)
    )
    results.results_finalise(actor=organiser, event=event)
    certificates_issue_many(
        competition=event.competition,
        requests=requests_for_event(event, include_participation=False),
        issued_by=organiser,
    )


def _cooking(units, users: _Users, people: PersonGenerator, rng: random.Random) -> Competition:
    competition = Competition.objects.create(
        title="2026年全市职工技能大赛（中式烹调）",
        slug="COOKING",
        year=2026,
        host=units[FEDERATION[1]],
        venue="重庆商务职业学院烹饪实训中心",
        starts_on=datetime.date(2026, 11, 22),
        ends_on=datetime.date(2026, 11, 22),
        status=Competition.Status.RUNNING,
        is_public=True,
    )
    event = Event.objects.create(
        competition=competition,
        code="hot-dish",
        title="中式热菜",
        kind=Event.Kind.INDIVIDUAL,
        description="每人限时2小时完成规定热菜，按观感、味感、营养卫生、实用性评分。",
        stations=10,
        position=1,
    )
    _scheme(event, HOT_DISH_CRITERIA)
    contestants = []
    enterprises = [short for _name, short, _district in CATERING_ENTERPRISES]
    district_of = {short: district for _name, short, district in CATERING_ENTERPRISES}
    for index in range(20):
        short = enterprises[index % len(enterprises)]
        person = people.person(REGION_BY_SHORT[district_of[short]])
        contestants.append(
            Contestant(
                competition=competition,
                organisation=units[short],
                job_title=rng.choice(("中式烹调师", "厨师长", "热菜厨师", "食堂厨师")),
                **person,
            )
        )
    contestants = Contestant.objects.bulk_create(contestants)
    Entry.objects.bulk_create(Entry(event=event, contestant=c, status=Entry.Status.CHECKED_IN) for c in contestants)

    panel = [
        ("judge6", "蒋大勇", "烹饪协会"),
        ("judge7", "罗春兰", "山城大酒店"),  # the hotel also fields contestants: recusal applies
        ("judge8", "唐明", "技能鉴定中心"),
        ("judge9", "彭晓燕", "商贸金融工会"),
        ("judge10", "邓志刚", "两江国际饭店"),
    ]
    _staff(
        competition,
        users,
        units,
        organiser_unit=FEDERATION[1],
        chief=("chief2", "黄德明", "烹饪协会"),
        panel=panel,
        events=(event,),
    )
    _cooking_marks(
        event,
        [
            users.get(username, name, role=ROLE_LABELS[JudgeAssignment.Role.JUDGE], scope=competition.title)
            for username, name, _unit in panel
        ],
        rng,
    )
    # Still being marked, so still blind: codes only until the chain decodes it (the drone
    # team event shows the whole chain, decoded and final).
    return competition


def _cooking_marks(event: Event, judges: list, rng: random.Random, marked: int = 14) -> None:
    """The panel has marked the first ``marked`` dishes in start order, so the board is live.

    Marks go through ``marks_submit`` like a tablet's, so recusal, history and the
    standings version are real; the rest of the dishes show as still to be marked.
    """
    panel_codes = [spec["code"] for spec in HOT_DISH_CRITERIA if spec["kind"] == Criterion.Kind.JUDGEMENT]
    maxima = {spec["code"]: spec["max_value"] for spec in HOT_DISH_CRITERIA}
    entries = list(event.entries.select_related("contestant").order_by("start_order", "id")[:marked])
    quality = {entry.pk: rng.uniform(0.62, 0.95) for entry in entries}
    overtime = {entry.pk: rng.choice((0, 0, 0, 0, 2, 5, 8)) for entry in entries}
    units = dict(JudgeAssignment.objects.filter(event=event).values_list("user_id", "organisation_id"))
    for number, judge in enumerate(judges):
        marks = []
        for entry in entries:
            if entry.contestant.organisation_id == units[judge.pk]:
                continue  # recusal: a judge never marks their own unit's dish
            for code in panel_codes:
                score = maxima[code] * D(str(quality[entry.pk] + rng.uniform(-0.06, 0.06)))
                value = min(maxima[code], (score * 2).to_integral_value() / 2)
                marks.append(MarkInput(entry=entry.pk, criterion=code, value=str(value)))
            if number == 0:  # one judge keeps the clock
                marks.append(MarkInput(entry=entry.pk, criterion="overtime", value=str(overtime[entry.pk])))
        marks_submit(judge=judge, event=event, marks=marks, idempotency_key=f"demo-{judge.username}", device="demo")


def _district(units, users: _Users, people: PersonGenerator, rng: random.Random) -> Competition:
    """The large contest: 14 events, 1514 contestants, all written with bulk_create."""
    host = units[DISTRICT_CONTEST_HOST]
    region = REGION_BY_SHORT[DISTRICT_CONTEST_HOST]
    existing = {o.name: o for o in Organisation.objects.filter(name__in=DISTRICT_CONTEST_ENTERPRISES)}
    Organisation.objects.bulk_create(
        Organisation(
            name=name, short_name=name.removeprefix("重庆").removesuffix("有限公司"), kind="enterprise", parent=host
        )
        for name in DISTRICT_CONTEST_ENTERPRISES
        if name not in existing
    )
    enterprises = list(Organisation.objects.filter(name__in=DISTRICT_CONTEST_ENTERPRISES).order_by("name"))

    competition = Competition.objects.create(
        title="2026年渝北区职工职业技能大赛",
        slug="DISTRICT",
        year=2026,
        host=host,
        venue="渝北区职业教育中心",
        starts_on=datetime.date(2026, 11, 21),
        ends_on=datetime.date(2026, 11, 22),
        status=Competition.Status.RUNNING,
        is_public=True,
    )
    events = Event.objects.bulk_create(
        Event(
            competition=competition,
            code=code,
            title=title,
            kind=Event.Kind.INDIVIDUAL,
            stations=20,
            position=position,
        )
        for position, (code, title, _count) in enumerate(DISTRICT_EVENTS, start=1)
    )
    schemes = MarkingScheme.objects.bulk_create(
        MarkingScheme(
            event=event,
            theory_weight=D("0.3000"),
            practical_weight=D("0.7000"),
            award_mode=MarkingScheme.AwardMode.COUNTS,
        )
        for event in events
    )
    Criterion.objects.bulk_create(
        Criterion(scheme=scheme, position=position, **spec)
        for scheme in schemes
        for position, spec in enumerate(SKILL_CRITERIA, start=1)
    )
    contestants = []
    for _code, title, count in DISTRICT_EVENTS:
        for _ in range(count):
            contestants.append(
                Contestant(
                    competition=competition,
                    organisation=rng.choice(enterprises),
                    job_title=title,
                    **people.person(region),
                )
            )
    contestants = Contestant.objects.bulk_create(contestants, batch_size=500)
    entries, start = [], 0
    for event, (_code, _title, count) in zip(events, DISTRICT_EVENTS, strict=True):
        entries += [
            Entry(event=event, contestant=c, status=Entry.Status.CHECKED_IN) for c in contestants[start : start + count]
        ]
        start += count
    Entry.objects.bulk_create(entries, batch_size=500)
    _staff(competition, users, units, organiser_unit=DISTRICT_CONTEST_HOST, chief=("chief", "陈国平", "技能鉴定中心"))
    return competition


QUIZ_PARTICIPANTS = 1800
QUIZ_FINISHED = 3000
QUIZ_IN_PROGRESS = 24
QUIZ_RULES = [
    {"category": "工会知识", "difficulty": None, "count": 5},
    {"category": "劳动法律法规", "difficulty": None, "count": 6},
    {"category": "安全生产", "difficulty": None, "count": 5},
    {"category": "职业健康与消防", "difficulty": None, "count": 4},
]


def _quiz(units, users: _Users, people: PersonGenerator, rng: random.Random) -> Competition:
    """The online knowledge contest: a bank of ~260 questions, a running round, thousands of finished attempts.

    Everything is written with ``bulk_create`` (attempts graded here with the same pure
    functions the service uses, results folded by the round's rule), so it adds about a
    second to ``seed_demo``. Its own ``random.Random`` keeps the other demos unchanged.
    """
    rng = random.Random(SEED + 15)
    people = PersonGenerator(rng)
    federation = units[FEDERATION[1]]
    competition = Competition.objects.create(
        title="2026年重庆市职工安全生产和工会知识网上竞赛",
        slug="QUIZ",
        year=2026,
        host=federation,
        venue="网上答题",
        status=Competition.Status.RUNNING,
        is_public=True,
    )
    organiser = users.get(
        "organiser", "周文斌", role=ROLE_LABELS[JudgeAssignment.Role.ORGANISER], scope=competition.title, staff=True
    )
    JudgeAssignment.objects.create(
        user=organiser, competition=competition, role=JudgeAssignment.Role.ORGANISER, organisation=federation
    )
    questions = Question.objects.bulk_create(
        Question(competition=competition, stem_key=stem_key(row["stem"]), points=5, **row) for row in bank_rows()
    )
    now = timezone.now()
    round_ = Round.objects.create(
        competition=competition,
        title="第一轮 · 安全生产和工会知识",
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=7),
        time_limit_seconds=600,
        draw_rules=QUIZ_RULES,
        attempts_per_day=3,
        attempts_total=10,
        # 20 questions × 5 points: 80 or more earns the e-certificate (电子证书, verified by QR).
        certificate_min_score=80,
        certificate_title="安全生产知识达人",
    )
    tree = [unit for unit in units.values() if unit.pk != federation.pk and unit.parent_id is not None]
    for unit in [federation, *tree]:
        UnitHeadcount.objects.update_or_create(organisation=unit, defaults={"headcount": rng.randrange(300, 3000)})
    participants = Participant.objects.bulk_create(
        Participant(
            competition=competition,
            name=people.name(rng.choice("MF")),
            mobile=people.phone(),
            unit=rng.choice(tree),
        )
        for _ in range(QUIZ_PARTICIPANTS)
    )
    pool = [
        papers.PoolQuestion(q.pk, q.kind, q.category, q.difficulty, 2 if q.kind == "true_false" else len(q.options), 5)
        for q in questions
    ]
    by_id = {question.pk: question for question in questions}
    skill = {participant.pk: rng.uniform(0.5, 0.97) for participant in participants}
    attempts, numbers = [], {}

    def paper_attempt(participant, started, duration, *, finished: bool):
        seed = rng.getrandbits(62)
        paper = papers.draw_paper(seed, pool, QUIZ_RULES)
        answers, score, correct = {}, 0, 0
        for position, question_id in enumerate(paper.question_ids):
            question = by_id[question_id]
            if not finished and position >= duration // 25:
                break
            right = rng.random() < skill[participant.pk]
            if question.kind == "fill":
                given = question.answer if right else "不清楚"
            elif right:
                given = question.answer
            else:
                given = next(letter for letter in "ABCD" if letter != question.answer)
            answers[str(position)] = [given, 1]
            if papers.is_correct(question.kind, question.answer, given):
                score, correct = score + 5, correct + 1
        numbers[participant.pk] = numbers.get(participant.pk, 0) + 1
        return Attempt(
            round=round_,
            participant=participant,
            number=numbers[participant.pk],
            day=timezone.localtime(started).date(),
            seed=seed,
            question_ids=paper.question_ids,
            option_orders=paper.option_orders,
            kinds="".join(KIND_LETTERS[by_id[pk].kind] for pk in paper.question_ids),
            answers=answers,
            started_at=started,
            deadline=started + datetime.timedelta(seconds=600),
            max_score=100,
            **(
                {
                    "status": Attempt.Status.SUBMITTED,
                    "finished_at": started + datetime.timedelta(seconds=duration),
                    "duration_ms": duration * 1000,
                    "score": score,
                    "correct": correct,
                    "flagged": duration < 40,
                }
                if finished
                else {}
            ),
        )

    window = (now - round_.opens_at).total_seconds() - 1800
    for index in range(QUIZ_FINISHED):
        participant = participants[index % QUIZ_PARTICIPANTS] if index < QUIZ_PARTICIPANTS else rng.choice(participants)
        duration = rng.choice((25, 30)) if index % 400 == 7 else rng.randrange(150, 590)
        # Most over the last three days, the last 150 in the quarter hour the dashboard shows.
        ago = rng.uniform(700, 1500) if index >= QUIZ_FINISHED - 150 else rng.uniform(1800, 1800 + window)
        started = now - datetime.timedelta(seconds=ago)
        attempts.append(paper_attempt(participant, started, duration, finished=True))
    busy = rng.sample(participants, QUIZ_IN_PROGRESS)
    for participant in busy:
        started = now - datetime.timedelta(seconds=rng.uniform(20, 400))
        attempts.append(paper_attempt(participant, started, int((now - started).total_seconds()), finished=False))
    Attempt.objects.bulk_create(attempts, batch_size=1000)
    results: dict[int, Result] = {}
    for attempt in sorted((a for a in attempts if a.status == Attempt.Status.SUBMITTED), key=lambda a: a.finished_at):
        result = results.setdefault(
            attempt.participant_id,
            Result(round=round_, participant_id=attempt.participant_id, unit_id=attempt.participant.unit_id),
        )
        result.attempts += 1
        if not attempt.flagged and (
            not result.ranked or (attempt.score, -attempt.duration_ms) > (result.score, -result.duration_ms)
        ):
            result.ranked, result.attempt = True, attempt
            result.score, result.duration_ms = attempt.score, attempt.duration_ms
    Result.objects.bulk_create(results.values(), batch_size=1000)
    return competition


def _match_staff(users: _Users, scope: str) -> dict:
    role = JudgeAssignment.Role
    return {
        "organiser": users.get("organiser", "周文斌", role=ROLE_LABELS[role.ORGANISER], scope=scope, staff=True),
        "referee": users.get("referee", "何勇", role=ROLE_LABELS[role.JUDGE], scope=scope),
        "chief": users.get("referee_chief", "罗志刚", role=ROLE_LABELS[role.CHIEF_JUDGE], scope=scope),
    }


def _own_people(people: PersonGenerator, slug: str) -> tuple[PersonGenerator, random.Random]:
    """A generator of its own for a competition added later, so the earlier demo data stay the same
    whether or not they were rebuilt in this run; it still avoids the numbers already given out."""
    rng = random.Random(f"{SEED}-{slug}")
    own = PersonGenerator(rng)
    own.id_numbers, own.phones = people.id_numbers, people.phones
    return own, rng


def _tug(units, users: _Users, people: PersonGenerator, rng: random.Random) -> Competition:
    people, rng = _own_people(people, "TUG")
    return head_to_head.tug_of_war(
        units,
        users,
        people,
        rng,
        districts=DISTRICTS,
        industry_unions=INDUSTRY_UNIONS,
        host=units[FEDERATION[1]],
        **_match_staff(users, "2026年重庆市职工运动会拔河比赛"),
    )


def _sports(units, users: _Users, people: PersonGenerator, rng: random.Random) -> Competition:
    people, rng = _own_people(people, "SPORTS")
    company = _organisation("重庆长江机械制造有限公司工会", "长江机械", Organisation.Kind.ENTERPRISE, units["渝北区"])
    return head_to_head.sports_day(
        units, users, people, rng, enterprise=company, **_match_staff(users, "2026年公司职工趣味运动会")
    )


@transaction.atomic
def build_demo(*, scale: bool = False) -> DemoSummary:
    """(Re)build the demo competitions; see the module docstring. Returns what to print."""
    rng = random.Random(SEED)
    people = PersonGenerator(rng)
    builders = {"DRONE": _drone, "COOKING": _cooking} | ({"DISTRICT": _district} if scale else {}) | {"QUIZ": _quiz}
    builders |= {"TUG": _tug, "SPORTS": _sports}
    units = _organisations()
    users = _Users()
    users.get("admin", "系统管理员", role="超级管理员 Superuser", scope="全部 All", superuser=True)
    summary = DemoSummary()
    # Only what is rebuilt is wiped: a plain run keeps an earlier --scale contest.
    for slug, build in builders.items():
        kept = _wipe(slug)
        if kept:
            _keep(kept, users)
            summary.kept.append(slug)
        else:
            build(units, users, people, rng)
        summary.competitions.append(slug)
    summary.logins = list(users.logins.values())
    return summary
