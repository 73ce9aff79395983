#!/bin/sh
# ctest's aad_az_check: the arm peer's identity platform (aad.py) checked against Microsoft's own
# clients, so that what Skydeck's tests lean on is what Azure's tools accept:
#   - the Azure CLI (Debian's azure-cli) over the peer's https port: `az login -u -p` (az_login.sh),
#     `az account get-access-token` with the cached access token expired (the refresh token grant),
#     the same with every refresh token revoked (AADSTS50173) or outlived (AADSTS700082),
#     `az login --service-principal -p cert.pem` (a certificate assertion the peer verifies), a
#     certificate the app does not know and a known certificate with another key (both AADSTS700027);
#   - azure-identity's ManagedIdentityCredential (AZURE_POD_IDENTITY_AUTHORITY_HOST pointed at the peer),
#     system-assigned, user-assigned (AZURE_CLIENT_ID) and an identity not assigned.
# Without the peer, az or python3-azure it skips (exit 77); under CI it fails instead.
here=$(cd "$(dirname "$0")" && pwd)
skip() {
  echo "skipped: $1"
  case "$(echo "${CI:-}" | tr A-Z a-z)" in ""|0|false) ;; *) echo "missing under CI"; exit 1 ;; esac
  exit 77
}
fail() { echo "FAIL: $1"; exit 1; }
[ -n "${SKYDECK_TEST_ARM_TLS_ENDPOINT:-}" ] || skip "SKYDECK_TEST_ARM_TLS_ENDPOINT is not set (scripts/peers.sh)"
command -v az >/dev/null || skip "az is not installed (apt-get install azure-cli)"
/usr/bin/python3 -c 'import azure.identity, cryptography' 2>/dev/null || skip "python3-azure is not installed"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
control=$SKYDECK_TEST_ARM_CONTROL
post() { curl -sf -X POST "$control/$1" -H 'Content-Type: application/json' -d "${2:-{\}}" >/dev/null || fail "control $1"; }
grants() { curl -sf "$control/grants" | /usr/bin/python3 -c "import json,sys; print(sum(g['grant_type'] == '$1' for g in json.load(sys.stdin)))"; }
expire_cached() { # every access token in az's cache expired, as time would do it
  /usr/bin/python3 - "$1/msal_token_cache.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for at in d.get("AccessToken", {}).values():
    at["expires_on"] = "1000"
json.dump(d, open(sys.argv[1], "w"))
PY
}
export REQUESTS_CA_BUNDLE="$SKYDECK_TEST_ARM_TLS_CA" PYTHONPATH="$here/az_shim"
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_ONLY_SHOW_ERRORS=true AZURE_CORE_NO_COLOR=true
post config '{"refreshTokenLifetime": 7776000}'

# A user signs in with a password; az writes its MSAL cache and profile.
"$here/az_login.sh" "$work/user" >"$work/out" 2>&1 || fail "az login -u -p: $(cat "$work/out")"
[ "$(grants password)" -ge 1 ] || fail "no password grant reached the peer"
grep -q '"RefreshToken"' "$work/user/msal_token_cache.json" || fail "az cached no refresh token"
echo "ok: az login -u -p (password grant; az wrote msal_token_cache.json and azureProfile.json)"

# The cached access token expired: az renews it with the refresh token, and Resource Manager takes it.
export AZURE_CONFIG_DIR="$work/user"
before=$(grants refresh_token); expire_cached "$work/user"
token=$(az account get-access-token --query accessToken -o tsv) || fail "az account get-access-token after expiry"
[ "$(grants refresh_token)" -gt "$before" ] || fail "az did not use the refresh token grant"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "$SKYDECK_TEST_ARM_ENDPOINT/subscriptions/$SKYDECK_TEST_ARM_SUBSCRIPTION/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01")
[ "$status" = 200 ] || fail "Resource Manager answered $status to az's renewed token"
echo "ok: az account get-access-token renewed an expired access token (refresh token grant) that ARM accepts"

# Refresh tokens outlived, then revoked: az reports the identity platform's codes.
post config '{"refreshTokenLifetime": 0}'; expire_cached "$work/user"
az account get-access-token >"$work/out" 2>&1 && fail "an outlived refresh token was accepted"
grep -q AADSTS700082 "$work/out" || fail "no AADSTS700082: $(cat "$work/out")"
echo "ok: an outlived refresh token: AADSTS700082 through az"
# (MSAL keeps an invalid_grant answer for the same refresh token in msal_http_cache.bin for a while.)
rm -f "$work/user/msal_http_cache.bin"
post config '{"refreshTokenLifetime": 7776000}'; post revoke-refresh-tokens; expire_cached "$work/user"
az account get-access-token >"$work/out" 2>&1 && fail "a revoked refresh token was accepted"
grep -q AADSTS50173 "$work/out" || fail "no AADSTS50173: $(cat "$work/out")"
echo "ok: a revoked refresh token: AADSTS50173 through az"
unset AZURE_CONFIG_DIR

# A service principal with a certificate (PEM with key and certificate, as az and azure-identity read it).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/sp.key" -out "$work/sp.crt" -days 2 -subj /CN=skydeck-sp 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other.key" -out "$work/other.crt" -days 2 -subj /CN=other 2>/dev/null
cat "$work/sp.key" "$work/sp.crt" >"$work/sp.pem"
cat "$work/other.key" "$work/other.crt" >"$work/unknown.pem"
cat "$work/other.key" "$work/sp.crt" >"$work/wrongkey.pem"
post config "$(/usr/bin/python3 -c "import json,sys; print(json.dumps({'clientCertificatePem': open(sys.argv[1]).read()}))" "$work/sp.crt")"
sp_login() { # config-dir pem
  mkdir -p "$1"; cp "$work/user/clouds.config" "$work/user/config" "$1/"
  AZURE_CONFIG_DIR=$1 az login --service-principal -u "$SKYDECK_TEST_ARM_CLIENT_ID" -p "$2" \
    --tenant "$SKYDECK_TEST_ARM_TENANT" --output none >"$work/out" 2>&1
}
sp_login "$work/sp" "$work/sp.pem" || fail "az login --service-principal with the certificate: $(cat "$work/out")"
echo "ok: az login --service-principal -p cert.pem (MSAL's certificate assertion verified by the peer)"
sp_login "$work/sp2" "$work/unknown.pem" && fail "an unknown certificate was accepted"
grep -q AADSTS700027 "$work/out" || fail "no AADSTS700027 for an unknown certificate: $(cat "$work/out")"
sp_login "$work/sp3" "$work/wrongkey.pem" && fail "a signature by another key was accepted"
grep -q "AADSTS700027: Client assertion failed signature validation" "$work/out" \
  || fail "no AADSTS700027 for a bad signature: $(cat "$work/out")"
echo "ok: an unknown certificate and a bad signature: AADSTS700027 through az"

# Managed identity through azure-identity's IMDS client.
post config '{"managedIdentities": {"system": "7d3e1a52-0b1c-4e3d-9f2a-1b2c3d4e5f60", "userAssigned": ["0c2d4e6f-1a3b-4c5d-8e9f-a0b1c2d3e4f5"]}}'
AZURE_POD_IDENTITY_AUTHORITY_HOST=$SKYDECK_TEST_ARM_ENDPOINT /usr/bin/python3 - <<'PY' || fail "azure-identity's ManagedIdentityCredential"
import base64, json, os, sys
from azure.identity import ManagedIdentityCredential
from azure.core.exceptions import ClientAuthenticationError
def claims(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
t = ManagedIdentityCredential().get_token("https://management.azure.com/.default")
assert claims(t.token)["appid"] == "7d3e1a52-0b1c-4e3d-9f2a-1b2c3d4e5f60", claims(t.token)
t = ManagedIdentityCredential(client_id="0c2d4e6f-1a3b-4c5d-8e9f-a0b1c2d3e4f5").get_token("https://management.azure.com/.default")
assert claims(t.token)["appid"] == "0c2d4e6f-1a3b-4c5d-8e9f-a0b1c2d3e4f5"
try:
    ManagedIdentityCredential(client_id="99999999-0000-0000-0000-000000000000").get_token("https://management.azure.com/.default")
    sys.exit("an identity not assigned got a token")
except ClientAuthenticationError as e:
    assert "not been assigned" in str(e), str(e)
PY
echo "ok: azure-identity's ManagedIdentityCredential: system-assigned, user-assigned, not assigned"
echo "aad_az_check: all passed"
