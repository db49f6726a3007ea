"""`ipledge demo`: a realistic sample data set, loaded through the same command services
as the API (so every record has its events, actors and checks).

Deterministic (seeded) apart from dates, which follow the service clock so that fee years,
grace periods and loan terms look current whenever it is loaded.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from api.bootstrap import Container
from registry import annuities
from registry.actors import Actor
from registry.filings import Filing
from registry.numbers import make_credit_code, patent_check_char

COMPANIES = [
    ("武汉光谷激光科技有限公司", "Wuhan"),
    ("Hubei Changjiang Battery Co., Ltd.", "Hubei"),
    ("上海张江生物医药有限公司", "Shanghai"),
    ("Shanghai Lingang Robotics Co., Ltd.", "Shanghai"),
    ("苏州纳米新材料股份有限公司", "Jiangsu"),
    ("Nanjing Optical Fibre Co., Ltd.", "Jiangsu"),
    ("宜昌三峡智能装备有限公司", "Hubei"),
    ("Wuxi IoT Sensor Co., Ltd.", "Jiangsu"),
    ("襄阳汽车零部件有限公司", "Hubei"),
    ("Shanghai Fintech Software Co., Ltd.", "Shanghai"),
    ("常州光伏科技有限公司", "Jiangsu"),
    ("Huangshi Mould Technology Co., Ltd.", "Hubei"),
]
BANKS = [
    ("BANK-HBB", "Hubei Bank"),
    ("BANK-SHRCB", "Shanghai Rural Commercial Bank"),
    ("BANK-JSB", "Bank of Jiangsu"),
]
PRINCIPALS = [
    ("admin", "ipledge", "Registry administrator"),
    ("ip_office", "CNIPA-HB", "Hubei IP Office"),
    *[("bank", code, name) for code, name in BANKS],
    ("trading_centre", "WHOTC", "Wuhan Optics Valley IP Trading Centre"),
    ("disposal_platform", "HB-IPDP", "Hubei IP Disposal Platform"),
    ("compensation_fund", "HB-RCF", "Hubei IP Pledge Risk Compensation Fund"),
    ("regulator", "HB-FSB", "Hubei Financial Supervision Bureau"),
    ("partner", "PICC-HB", "PICC Hubei (IP pledge insurance)"),
]
PATENT_KINDS = [("invention_patent", "1"), ("utility_model", "2"), ("design_patent", "3")]


def keys_file(container: Container) -> Path:
    return Path(container.settings.demo_keys_file)


def load_demo(container: Container, *, if_empty: bool = False) -> dict[str, Any]:
    path = keys_file(container)
    if if_empty and container.store.max_position() > 0:
        saved = json.loads(path.read_text()) if path.exists() else {}
        return {"loaded": False, "note": "data already present; keys as saved", "keys": saved}
    keys = _principals(container)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keys, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    actors = {p.institution_id: p.actor for p in container.principals.list()}
    rng = random.Random(20260115)
    holders = [
        {"name": name, "credit_code": make_credit_code(f"9142{i:02d}00{rng.randrange(10**9):09d}")}
        for i, (name, _) in enumerate(COMPANIES)
    ]
    rights = _register(container, actors["CNIPA-HB"], holders, rng)
    pledges = _pledges(container, actors, holders, rights, rng)
    container.projections.catch_up(timeout=120)
    return {
        "loaded": True,
        "ip_rights": len(rights),
        "pledges": pledges,
        "keys": keys,
        "keys_file": str(path),
    }


def _principals(container: Container) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = {}
    for role, institution, name in PRINCIPALS:
        _, key = container.principals.create(name, role, institution, container.clock.now())
        label = role if role != "bank" else f"bank:{institution}"
        keys[label] = {"institution_id": institution, "name": name, "api_key": key}
    return keys


def _register(
    container: Container, office: Actor, holders: list[dict], rng: random.Random
) -> list[tuple[str, str, dict]]:
    today = container.clock.today()
    entries: list[tuple[str, str, dict]] = []
    for serial in range(1, 241):
        kind, digit = PATENT_KINDS[serial % 3]
        filed = today - timedelta(days=rng.randrange(365 * 2, 365 * 9))
        body = f"{filed.year}{digit}{serial + 1000000:07d}"
        owners = [holders[serial % len(holders)]]
        if serial % 17 == 0:
            owners.append(holders[(serial + 5) % len(holders)])  # co-owned
        year = annuities.current_fee_year(filed, today, kind=kind)
        entries.append(
            (
                kind,
                f"{body}.{patent_check_char(body)}",
                {
                    "title": f"{_TOPICS[serial % len(_TOPICS)]} ({serial})",
                    "holders": owners,
                    "filing_date": filed,
                    "grant_date": filed + timedelta(days=400) if serial % 23 else None,
                    "status": "in_force" if serial % 23 else "pending",
                    # Every 19th is a fee year behind: in grace, so a pledge of it is refused.
                    "annuity_paid_through_year": year - 1 if serial % 19 == 0 else year,
                    "valid_until": None,
                    "dispute_hold": serial % 41 == 0,
                    "invalidation_pending": serial % 53 == 0,
                },
            )
        )
    for serial in range(1, 81):
        granted = today - timedelta(days=rng.randrange(400, 3000))
        entries.append(
            (
                "trademark",
                str(30000000 + serial * 7),
                {
                    "title": f"{_MARKS[serial % len(_MARKS)]} (class {serial % 45 + 1})",
                    "holders": [holders[serial % len(holders)]],
                    "filing_date": granted - timedelta(days=300),
                    "grant_date": granted,
                    "status": "in_force",
                    "annuity_paid_through_year": None,
                    "valid_until": annuities.add_years(granted, 10) - timedelta(days=1),
                    "dispute_hold": False,
                    "invalidation_pending": False,
                },
            )
        )
    container.registry.import_ip_rights(entries, office)
    return entries


def _pledges(
    container: Container,
    actors: dict[str, Actor],
    holders: list[dict],
    rights: list[tuple[str, str, dict]],
    rng: random.Random,
) -> dict[str, int]:
    today = container.clock.today()
    by_holder: dict[str, list[tuple[str, str, dict]]] = {}
    for right in rights:
        by_holder.setdefault(right[2]["holders"][0]["credit_code"], []).append(right)
    counts: dict[str, int] = {}
    registered = []
    for n in range(45):
        holder = holders[n % len(holders)]
        bank = actors[BANKS[n % 3][0]]
        pool = by_holder[holder["credit_code"]]
        items = [{"kind": k, "number": num} for k, num, _ in rng.sample(pool, rng.randint(1, 3))]
        amount = Decimal(rng.randrange(50, 1500) * 10000)
        filing = Filing(
            pledgor=holder,
            debtor=holder,
            co_owner_consents=[],
            loan={
                "contract_number": f"{bank.institution_id}-{today.year}-{n:04d}",
                "principal": amount,
                "start_date": today - timedelta(days=30),
                "maturity_date": today + timedelta(days=rng.choice([365, 540, 730])),
            },
            secured_amount=amount,
            items=items,
            valuation={
                "amount": amount * Decimal("1.6"),
                "method": "appraisal" if amount >= 10_000_000 else "internal",
                "appraiser": "湖北众联资产评估有限公司" if amount >= 10_000_000 else None,
            },
            risk_compensation={"fund_id": "HB-RCF", "share": Decimal("0.40")}
            if n % 4 == 0
            else None,
        )
        pledge = container.registry.file_pledge(filing, bank).value
        counts[pledge.status] = counts.get(pledge.status, 0) + 1
        if pledge.status == "registered":
            registered.append((pledge, bank))
    for index, (pledge, bank) in enumerate(registered):
        _afterlife(container, pledge, bank, index, today)
    return counts


def _afterlife(container: Container, pledge: Any, bank: Actor, index: int, today: date) -> None:
    """Gives some registered pledges a later history: amended, released, defaulted."""
    registry = container.registry
    if index % 7 == 1:
        registry.amend_pledge(
            pledge.id,
            {"secured_amount": pledge.secured_amount * Decimal("0.8")},
            "partial repayment renegotiated",
            bank,
        )
    elif index % 7 == 2:
        registry.release_pledge(pledge.id, today, "repaid", None, bank)
    elif index % 7 == 3 and len(pledge.items) > 1:
        registry.release_pledge(pledge.id, today, "other", pledge.items[:1], bank)
    elif index % 7 == 4:
        registry.declare_default(pledge.id, today, pledge.secured_amount * Decimal("0.9"), bank)


_TOPICS = [
    "Laser cladding head",
    "Solid-state electrolyte",
    "mRNA delivery vector",
    "Collaborative robot joint",
    "Graphene coating",
    "Optical fibre preform",
    "Smart grid sensor",
    "Perovskite solar cell",
    "Mould cooling channel",
    "Risk scoring engine",
]
_MARKS = ["光谷", "长江", "黄鹤楼", "东湖", "江城", "楚天", "荆楚", "汉江"]
