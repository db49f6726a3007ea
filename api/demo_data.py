"""The demo's cast and catalogue: institutions, companies, IP rights, loan filings."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from registry import annuities
from registry.filings import Filing
from registry.numbers import patent_check_char
from registry.values import Item, Loan, Party, RegisterEntry, RiskCompensation, Valuation

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
TOPICS = [
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
MARKS = ["光谷", "长江", "黄鹤楼", "东湖", "江城", "楚天", "荆楚", "汉江"]
APPRAISER = "湖北众联资产评估有限公司"


def register_entries(
    holders: list[Party], today: date, rng: random.Random
) -> list[tuple[str, str, RegisterEntry]]:
    """240 patents and 80 trademarks; a few pending, in dispute, awaiting invalidation or a
    fee year behind, so that some filings are refused."""
    entries: list[tuple[str, str, RegisterEntry]] = []
    for serial in range(1, 241):
        kind, digit = PATENT_KINDS[serial % 3]
        term = annuities.term_years(kind)
        filed = today - timedelta(days=rng.randrange(365 * 2, 365 * (term - 2)))
        body = f"{filed.year}{digit}{serial + 1000000:07d}"
        owners = [holders[serial % len(holders)]]
        if serial % 17 == 0:
            owners.append(holders[(serial + 5) % len(holders)])  # co-owned
        year = annuities.current_fee_year(filed, today, kind=kind)
        entries.append(
            (
                kind,
                f"{body}.{patent_check_char(body)}",
                RegisterEntry(
                    title=f"{TOPICS[serial % len(TOPICS)]} ({serial})",
                    holders=tuple(owners),
                    filing_date=filed,
                    grant_date=filed + timedelta(days=400) if serial % 23 else None,
                    status="in_force" if serial % 23 else "pending",
                    annuity_paid_through_year=year - 1 if serial % 19 == 0 else year,
                    valid_until=None,
                    dispute_hold=serial % 41 == 0,
                    invalidation_pending=serial % 53 == 0,
                ),
            )
        )
    for serial in range(1, 81):
        granted = today - timedelta(days=rng.randrange(400, 3000))
        entries.append(
            (
                "trademark",
                str(30000000 + serial * 7),
                RegisterEntry(
                    title=f"{MARKS[serial % len(MARKS)]} (class {serial % 45 + 1})",
                    holders=(holders[serial % len(holders)],),
                    filing_date=granted - timedelta(days=300),
                    grant_date=granted,
                    status="in_force",
                    annuity_paid_through_year=None,
                    valid_until=annuities.add_years(granted, 10) - timedelta(days=1),
                    dispute_hold=False,
                    invalidation_pending=False,
                ),
            )
        )
    return entries


def filing_for(
    n: int, holder: Party, bank: str, items: list[Item], today: date, rng: random.Random
) -> Filing:
    amount = Decimal(rng.randrange(50, 1500) * 10000).quantize(Decimal("0.01"))
    appraised = amount >= 10_000_000
    return Filing(
        pledgor=holder,
        debtor=holder,
        co_owner_consents=(),
        loan=Loan(
            contract_number=f"{bank}-{today.year}-{n:04d}",
            principal=amount,
            start_date=today - timedelta(days=30),
            maturity_date=today + timedelta(days=rng.choice([500, 600, 730])),
        ),
        secured_amount=amount,
        items=tuple(items),
        valuation=Valuation(
            amount=amount * Decimal("1.6"),
            method="appraisal" if appraised else "internal",
            appraiser=APPRAISER if appraised else None,
        ),
        risk_compensation=RiskCompensation("HB-RCF", Decimal("0.40")) if n % 3 == 0 else None,
    )
