#!/usr/bin/env python3
"""gen-check-bench.py N RULES DIR: N policy files of RULES random rules each
(deterministic), for measuring `amends check` on a large worst-case corpus:

    python3 .ci/gen-check-bench.py 1000 100 /tmp/check-bench
    swift build -c release && time .build/release/amends check --format json /tmp/check-bench > /dev/null

Random rules make many findings (about 53 a file), so this is a worst case.
"""
import os, random, sys
n, rules, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
SEV = ["low", "medium", "high", "critical"]
TIER = ["basic", "premium", "enterprise"]
CAT = ["billing", "delivery", "quality", "communication", "outage"]
CAUSE = ["us", "vendor", "customer", "unknown"]
ROLES = ["supervisor", "account_manager", "owner", "billing_lead", "on_call", "legal"]
REMEDIES = ["refund", "credit", "redo", "discount"]
COMP = ["repair", "responsibility", "prevention", "explanation", "regret"]
def atom():
    k = rng.randrange(8)
    if k == 0: return f"severity {rng.choice(['>=', '=', '<=', '>'])} {rng.choice(SEV)}"
    if k == 1: return f"tier {rng.choice(['>=', '=', '<'])} {rng.choice(TIER)}"
    if k == 2: return f"category in [{', '.join(rng.sample(CAT, rng.randint(1, 3)))}]"
    if k == 3: return f"caused_by {rng.choice(['=', '!='])} {rng.choice(CAUSE)}"
    if k == 4: return f"amount > {rng.choice([100, 500, 1000, 5000])}"
    if k == 5: return f"repeat >= {rng.randint(1, 4)}"
    if k == 6: return f"age > {rng.randint(1, 10)} days"
    return "valued" if rng.random() < 0.5 else "our_fault"
def cond():
    parts = [atom() for _ in range(rng.randint(1, 3))]
    if len(parts) == 3 and rng.random() < 0.3:
        return f"{parts[0]} and ({parts[1]} or {parts[2]})"
    return " and ".join(parts)
def action():
    k = rng.randrange(7)
    if k == 0: return f"notify {', '.join(rng.sample(ROLES, rng.randint(1, 2)))}"
    if k == 1: return f"escalate to {rng.choice(ROLES)} within {rng.randint(1, 8)} hours"
    if k == 2: return f"respond within {rng.randint(1, 24)} hours by {rng.choice(['phone', 'email'])}"
    if k == 3: return f"require apology with {', '.join(rng.sample(COMP, rng.randint(1, 4)))}"
    if k == 4: return f"offer {', '.join(rng.sample(REMEDIES, rng.randint(1, 2)))}"
    if k == 5: return f"follow up in {rng.randint(1, 7)} days"
    return f"review cause within {rng.randint(1, 14)} days"
head = """policy "generated {i}"
scale severity: low < medium < high < critical
scale tier: basic < premium < enterprise
record incident:
  id: text
  severity: severity
  tier: tier = basic
  category: one of billing, delivery, quality, communication, outage
  caused_by: one of us, vendor, customer, unknown = unknown
  repeat: number = 0
  amount: number?
  reported: time
deadlines from reported
roles: supervisor, account_manager, owner, billing_lead, on_call, legal
remedies: refund, credit, redo, discount
define our_fault: caused_by = us
define valued: tier >= premium or amount > 5000
"""
for i in range(n):
    lines = [head.format(i=i)]
    for r in range(rules - 1):
        acts = "; ".join(action() for _ in range(rng.randint(1, 3)))
        lines.append(f"when {cond()}: {acts}")
    lines.append("otherwise: follow up in 7 days")
    open(os.path.join(out, f"p{i:04d}.policy"), "w").write("\n".join(lines) + "\n")
