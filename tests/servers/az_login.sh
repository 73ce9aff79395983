#!/bin/sh
# Signs the Azure CLI in to the arm peer's https port, as a user would: a custom cloud registered with
# `az cloud register` and `az login -u -p` (the password grant). Everything az writes goes to
# CONFIG_DIR (AZURE_CONFIG_DIR): azureProfile.json, msal_token_cache.json, clouds.config.
#   az_login.sh CONFIG_DIR            (needs SKYDECK_TEST_ARM_* from scripts/peers.sh)
#   az_login.sh CONFIG_DIR --service-principal SECRET|PEM_PATH
#                                     `az login --service-principal` as SKYDECK_TEST_ARM_CLIENT_ID instead
# Exit 77 when az is not installed.
set -e
command -v az >/dev/null || { echo "az is not installed (apt-get install azure-cli)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
export AZURE_CONFIG_DIR="$1" REQUESTS_CA_BUNDLE="$SKYDECK_TEST_ARM_TLS_CA" PYTHONPATH="$here/az_shim"
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_ONLY_SHOW_ERRORS=true AZURE_CORE_NO_COLOR=true
mkdir -p "$1"
tls=$SKYDECK_TEST_ARM_TLS_ENDPOINT
verb=register  # a second sign-in into the same directory updates the cloud instead
az cloud show --name SkydeckTest >/dev/null 2>&1 && verb=update
az cloud $verb --name SkydeckTest --endpoint-active-directory "$tls" --endpoint-resource-manager "$tls/" \
  --endpoint-active-directory-resource-id https://management.core.windows.net/ \
  --endpoint-active-directory-graph-resource-id https://graph.windows.net/ >/dev/null
az cloud set --name SkydeckTest >/dev/null
if [ "${2:-}" = --service-principal ]; then
  az login --service-principal -u "$SKYDECK_TEST_ARM_CLIENT_ID" -p "$3" --tenant "$SKYDECK_TEST_ARM_TENANT" --output none
else
  az login -u "$SKYDECK_TEST_ARM_USER" -p "$SKYDECK_TEST_ARM_USER_PASSWORD" --tenant "$SKYDECK_TEST_ARM_TENANT" \
    --output none
fi
az account set --subscription "$SKYDECK_TEST_ARM_SUBSCRIPTION"
