#!/usr/bin/env bash
# A walk through ipledge against a running server, from a register entry to both disposal
# tracks, the audit checkpoint, a search certificate and a signed webhook. Needs bash, curl
# and jq, and the project's Python with the standardwebhooks package (for the example receiver,
# examples/webhook_receiver.py; `make dev` installs it).
#
# Start the server with the manual clock (the walk moves it 181 days) and loopback webhooks
# (`make run` refuses a receiver on this machine: 422 unsafe_webhook_url, its SSRF guard):
#
#   make sandbox                   # the demo of `make run`, plus those two; PORT=8765 for another port
#
# then, in a second terminal, from the repository's root:  bash docs/walkthrough.sh
#
# Every date comes from the server's clock and every number is fresh, so the walk runs again
# and again on the same store (each run moves the clock 181 days further).
#
#   IPLEDGE_URL             the server (default http://127.0.0.1:8000)
#   IPLEDGE_DEMO_KEYS_FILE  the keys `ipledge demo` wrote (default ./data/demo-keys.json)
#   PYTHON                  runs the example receiver (default .venv/bin/python, else python3)
#   RECEIVER_PORT           where the example receiver listens (default: a free port)
set -euo pipefail

BASE=${IPLEDGE_URL:-http://127.0.0.1:8000}
KEYS_FILE=${IPLEDGE_DEMO_KEYS_FILE:-./data/demo-keys.json}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
TMP=$(mktemp -d)
RECEIVER_PID=
ENDPOINT=
cleanup() {  # the receiver stops, so its endpoint goes too (else it would collect retries)
  [[ -n $ENDPOINT ]] && curl -s -o /dev/null -X DELETE "$BASE/v1/webhook-endpoints/$ENDPOINT" \
    -H "Authorization: Bearer $BANK"
  [[ -n $RECEIVER_PID ]] && kill "$RECEIVER_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

for tool in curl jq; do
  command -v $tool >/dev/null || { echo "walkthrough: needs $tool" >&2; exit 2; }
done
[[ -r $KEYS_FILE ]] || { echo "walkthrough: no keys file $KEYS_FILE (run ipledge demo)" >&2; exit 2; }
"$PYTHON" -c 'import standardwebhooks' 2>/dev/null || {
  echo "walkthrough: the example receiver needs standardwebhooks: $PYTHON -m pip install standardwebhooks" >&2
  exit 2
}
key() { jq -er --arg who "$1" '.[$who].api_key' "$KEYS_FILE"; }
ADMIN=$(key admin)
OFFICE=$(key ip_office)
BANK=$(key bank:BANK-HBB)
CENTRE=$(key trading_centre)
PLATFORM=$(key disposal_platform)
FUND=$(key compensation_fund)
REG=$(key regulator)

# api EXPECTED METHOD PATH KEY [JSON [HEADER...]]: one call; the body lands in $BODY, the
# status in $STATUS, the headers in $TMP/headers. Any other status stops the walk.
api() {
  local expected=$1 method=$2 path=$3 key=$4 json=${5-}
  local args=(-sS -X "$method" "$BASE$path" -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}')
  [[ -n $key ]] && args+=(-H "Authorization: Bearer $key")
  [[ -n $json ]] && args+=(-H 'Content-Type: application/json' --data-binary "$json")
  for header in "${@:6}"; do args+=(-H "$header"); done
  STATUS=$(curl "${args[@]}")
  BODY=$(cat "$TMP/body")
  echo "  $method $path -> $STATUS"
  if [[ $STATUS != "$expected" ]]; then
    echo "walkthrough: expected $expected, got $STATUS: $BODY" >&2
    exit 1
  fi
}
header() { grep -i "^$1:" "$TMP/headers" | cut -d' ' -f2- | tr -d '\r'; }
show() { jq -c "$@" <<<"$BODY" | sed 's/^/    /'; }
field() { jq -er "$1" <<<"$BODY"; }
step() { printf '\n== %s\n' "$*"; }
# days DATE N: the calendar date N days after DATE (jq's date functions work in UTC).
days() { jq -nr --arg d "$1" --argjson n "$2" '$d | strptime("%Y-%m-%d") | mktime + $n * 86400 | strftime("%Y-%m-%d")'; }

# A patent number with its check character (contract §3); a fresh one each run.
patent_number() {
  local body=$1 sum=0 i weights=(2 3 4 5 6 7 8 9 2 3 4 5)
  for i in {0..11}; do sum=$((sum + ${body:i:1} * weights[i])); done
  local check=$((sum % 11))
  [[ $check == 10 ]] && check=X
  echo "$body.$check"
}
fresh_patent() {  # fresh_patent YEAR SERIAL: the first number from SERIAL on that nobody has
  local serial=$2 number
  while :; do
    number=$(patent_number "$(printf '%s1%07d' "$1" $((serial % 10000000)))")
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/ip-rights/invention_patent/$number" \
      -H "Authorization: Bearer $OFFICE") == 404 ]] && { echo "$number"; return; }
    serial=$((serial + 1))
  done
}

HOLDER='{"name": "武汉光谷激光科技有限公司", "credit_code": "91420100MA4K3LQ511"}'
STRANGER='{"name": "Wuhan Lakeside Trading Co., Ltd.", "credit_code": "91420100MA4K8P2D7B"}'
BUYER='{"name": "Hubei Changjiang Tech Investment Co., Ltd.", "credit_code": "91420106MA49XR8C3X"}'
PUBLIC_BUYER='{"name": "Hubei IP Operation Fund (public)", "credit_code": "91420000MA4F5C0T1L"}'

step "0. The server's clock: every date below is computed from it"
api 200 GET /v1/_clock "$ADMIN"
show .
TODAY=$(field .today)
FILED=$(days "$TODAY" -1000)                   # filed ~2.7 years ago: fee year 3 is running
api 200 GET /v1/audit/checkpoint "$REG"
SERIAL=$(field .tree_size)                      # grows every run: fresh patent numbers
PATENT_A=$(fresh_patent "${FILED:0:4}" "$SERIAL")
PATENT_B=$(fresh_patent "${FILED:0:4}" $((SERIAL + 1)))
echo "  today $TODAY; patents $PATENT_A (market sale) and $PATENT_B (buyback)"

step "1. A partner's receiver: the bank subscribes it, examples/webhook_receiver.py verifies"
RECEIVER_PORT=${RECEIVER_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
api 201 POST /v1/webhook-endpoints "$BANK" "$(jq -n --arg url "http://127.0.0.1:$RECEIVER_PORT/ipledge" \
  '{url: $url, event_types: ["pledge.registered", "pledge.defaulted", "buyback.requested"]}')"
show '{id, url, event_types, secret: (.secret[:10] + "…")}'
ENDPOINT=$(field .id)
IPLEDGE_WEBHOOK_SECRET=$(field .secret) "$PYTHON" "$ROOT/examples/webhook_receiver.py" \
  "$RECEIVER_PORT" >"$TMP/received" 2>&1 &
RECEIVER_PID=$!

step "2. The IP office registers two granted invention patents"
for number in "$PATENT_A" "$PATENT_B"; do
  api 201 PUT "/v1/ip-rights/invention_patent/ZL${number/./}" "$OFFICE" "$(jq -n \
    --argjson holder "$HOLDER" --arg filed "$FILED" --arg granted "$(days "$FILED" 400)" '{
      title: "Laser cladding head with coaxial powder feed", holders: [$holder],
      filing_date: $filed, grant_date: $granted, status: "in_force",
      annuity_paid_through_year: 3, valid_until: null,
      dispute_hold: false, invalidation_pending: false}')"
  show '{number, status, expiry_date, annuity_status, next_annuity_due_date}'
done

# pledge_body PLEDGOR ITEMS [RISK_COMPENSATION]: a filing for a two-year loan from today.
pledge_body() {
  jq -n --argjson pledgor "$1" --argjson items "$2" --argjson rc "${3:-null}" \
    --arg start "$TODAY" --arg maturity "$(days "$TODAY" 729)" --arg contract "WHB-$SERIAL-$4" '{
      pledgor: $pledgor,
      loan: {contract_number: $contract, principal: "5000000.00",
             start_date: $start, maturity_date: $maturity},
      secured_amount: "5000000.00", items: $items,
      valuation: {amount: "8000000.00", method: "internal", appraiser: null},
      risk_compensation: $rc}'
}
item() { jq -nc --arg n "$1" '[{kind: "invention_patent", number: $n}]'; }
HUBEI_FUND='{"fund_id": "HB-RCF", "share": "0.40"}'

step "3. The bank files a pledge by someone who holds neither right: recorded, and refused"
api 201 POST /v1/pledges "$BANK" "$(pledge_body "$STRANGER" \
  "$(jq -nc --arg n "$PATENT_A" '[{kind: "invention_patent", number: $n},
                                  {kind: "trademark", number: "999999999"}]')" null 0)"
show '{status, refusal_reasons: [.refusal_reasons[] | {code, item: .item.number}]}'

step "4. The holder's pledge, enrolled with the Hubei fund: registered (a retry replays it)"
FILING=$(pledge_body "$HOLDER" "$(item "$PATENT_A")" "$HUBEI_FUND" 1)
api 201 POST /v1/pledges "$BANK" "$FILING" "Idempotency-Key: loan-WHB-$SERIAL-1"
show '{id, status, registration_number, pledgee}'
PLEDGE=$(field .id)
echo "  ETag $(header ETag), X-Log-Position $(header X-Log-Position)"
api 201 POST /v1/pledges "$BANK" "$FILING" "Idempotency-Key: loan-WHB-$SERIAL-1"
echo "  Idempotent-Replayed: $(header Idempotent-Replayed), same pledge: $(field .id)"
POSITION=$(header X-Log-Position)
api 200 GET "/v1/pledges?status=registered&number=$PATENT_A&min_position=$POSITION" "$BANK"
show '[.items[] | {registration_number, status, secured_amount}]'
api 200 GET "/v1/ip-rights/invention_patent/$PATENT_A" "$BANK"
show '{number, encumbrance}'

step "5. Prepay the annual fees through fee year 6 (the amount must match the schedule)"
api 200 GET "/v1/ip-rights/invention_patent/$PATENT_A/annuities" "$BANK"
# The sum of the unpaid years 4..6, added up in fen (whole numbers) as money should be.
AMOUNT=$(jq -r '[.items[] | select(.year <= 6 and (.paid | not)) | .amount | sub("\\."; "")
                 | tonumber] | add | "\(. / 100 | floor).\(. % 100 + 100 | tostring | .[1:])"' <<<"$BODY")
show '[.items[] | select(.year >= 3 and .year <= 6)]'
api 201 POST "/v1/pledges/$PLEDGE/annuity-prepayments" "$BANK" "$(jq -n --arg n "$PATENT_A" \
  --arg amount "$AMOUNT" --arg today "$TODAY" '{item: {kind: "invention_patent", number: $n},
    through_year: 6, amount: $amount, paid_on: $today, receipt_number: "CNIPA-FEE-0001"}')" \
  'If-Match: "1"'
show '{from_year, through_year, amount}'

step "6. The loan goes bad: default, compensation claimed and advanced upfront"
api 200 POST "/v1/pledges/$PLEDGE/default" "$BANK" \
  "$(jq -n --arg today "$TODAY" '{declared_on: $today, outstanding_amount: "4200000.00"}')"
show '{status}'
api 201 POST "/v1/pledges/$PLEDGE/compensation-claims" "$BANK"
show '{id, status, share, advance_due}'
CLAIM=$(field .id)
api 200 POST "/v1/compensation-claims/$CLAIM/advance" "$FUND" \
  "$(jq -n --arg today "$TODAY" '{paid_on: $today}')"
POSITION=$(header X-Log-Position)
api 200 GET "/v1/compensation-claims?pledge_id=$PLEDGE&min_position=$POSITION" "$FUND"
show '[.items[] | {status, advance_due, advanced_on}]'

step "7. Track 1, the market: listed, taken (揭牌), sold, settled"
api 201 POST /v1/disposals "$BANK" "$(jq -n --arg p "$PLEDGE" \
  '{pledge_id: $p, route: "exchange_listing", appraised_value: "3000000.00"}')"
DISPOSAL=$(field .id)
api 201 POST /v1/listings "$CENTRE" "$(jq -n --arg d "$DISPOSAL" --arg today "$TODAY" \
  '{disposal_id: $d, asking_price: "2800000.00", listed_on: $today}')"
show '{status, listed_on, no_taker_deadline, days_remaining}'
LISTING=$(field .id)
api 201 POST "/v1/listings/$LISTING/intentions" "$CENTRE" \
  "$(jq -n --argjson b "$BUYER" --arg today "$TODAY" '{bidder: $b, registered_on: $today}')"
show '{bidder: .bidder.name, listing: .listing.status}'
api 200 POST "/v1/listings/$LISTING/sale" "$CENTRE" "$(jq -n --argjson b "$BUYER" \
  --arg today "$TODAY" '{buyer: $b, price: "3100000.00", sold_on: $today}')"
show '{status, sale: {price: .sale.price}}'
api 200 POST "/v1/disposals/$DISPOSAL/settlement" "$CENTRE" "$(jq -n --arg today "$TODAY" \
  '{proceeds: "3100000.00", costs: "100000.00", settled_on: $today}')"
show '{status, recovery, surplus_to_pledgor}'
POSITION=$(header X-Log-Position)
api 200 GET "/v1/compensation-claims?pledge_id=$PLEDGE&min_position=$POSITION" "$BANK"
show '.items[] | {status, refund_due, balance_due}'
api 200 GET "/v1/ip-rights/invention_patent/$PATENT_A" "$BANK"
show '{holders: [.holders[].name], encumbrance}'

step "8. Track 2, no taker: 180 days pass, the service expires the listing, the platform buys"
api 201 POST /v1/pledges "$BANK" "$(pledge_body "$HOLDER" "$(item "$PATENT_B")" null 2)"
PLEDGE_B=$(field .id)
api 200 POST "/v1/pledges/$PLEDGE_B/default" "$BANK" \
  "$(jq -n --arg today "$TODAY" '{declared_on: $today, outstanding_amount: "4000000.00"}')"
api 201 POST /v1/disposals "$BANK" "$(jq -n --arg p "$PLEDGE_B" \
  '{pledge_id: $p, route: "exchange_listing", appraised_value: "2500000.00"}')"
DISPOSAL_B=$(field .id)
api 201 POST /v1/listings "$CENTRE" "$(jq -n --arg d "$DISPOSAL_B" --arg today "$TODAY" \
  '{disposal_id: $d, asking_price: "2300000.00", listed_on: $today}')"
LISTING_B=$(field .id)
show '{status, no_taker_deadline, days_remaining}'
api 200 POST /v1/_clock "$ADMIN" '{"advance_days": 181}'
TODAY=$(field .today)
show '{now, today, fired: (.fired | group_by(.) | map({(.[0]): length}) | add)}'
api 200 GET "/v1/listings/$LISTING_B" "$PLATFORM"
show '{status, no_taker_deadline}'
api 200 POST "/v1/listings/$LISTING_B/buyback" "$PLATFORM" "$(jq -n --argjson b "$PUBLIC_BUYER" \
  --arg today "$TODAY" '{price: "2000000.00", bought_on: $today, buyer: $b}')"
show '{status, buyback: {price: .buyback.price}}'
api 200 POST "/v1/disposals/$DISPOSAL_B/settlement" "$CENTRE" "$(jq -n --arg today "$TODAY" \
  '{proceeds: "2000000.00", costs: "50000.00", settled_on: $today}')"
show '{status, recovery, surplus_to_pledgor}'
POSITION=$(header X-Log-Position)
api 200 GET "/v1/disposals?pledge_id=$PLEDGE_B&min_position=$POSITION" "$BANK"
show '.items[] | {route, status, recovery, settled_on}'

step "9. The audit: a signed checkpoint, an inclusion proof, a public search certificate"
api 200 GET /v1/audit/checkpoint "$REG"
show '{tree_size, root_hash: (.root_hash[:16] + "…"), key_id}'
api 200 GET "/v1/audit/proofs/inclusion?position=$POSITION&tree_size=$(field .tree_size)" "$REG"
show '{leaf_index, tree_size, path_length: (.path | length)}'
api 200 GET "/v1/search?kind=invention_patent&number=$PATENT_A&min_position=$POSITION" ""
show '{number, encumbered, pledges: [.pledges[] | {registration_number, status}],
       certificate: {log_size: .certificate.log_size, algorithm: .certificate.algorithm}}'

step "10. What the receiver printed (signatures verified, each webhook-id once, in log order)"
# Deliveries to one endpoint keep log order: once the buyback request is in, so is the rest.
for _ in $(seq 1 150); do
  grep -q '"buyback.requested"' "$TMP/received" 2>/dev/null && break
  sleep 0.2
done
if ! grep -q '"buyback.requested"' "$TMP/received"; then
  echo "walkthrough: the receiver got no buyback.requested event: $(cat "$TMP/received")" >&2
  exit 1
fi
jq -c '{type, position: .data.position, stream_id: .data.stream_id}
       + if .type == "pledge.registered" then {registration_number: .data.data.registration_number}
         else {} end' "$TMP/received" | sed 's/^/    /'

printf '\nwalkthrough complete: pledge %s disposed by sale, pledge %s by buyback\n' "$PLEDGE" "$PLEDGE_B"
