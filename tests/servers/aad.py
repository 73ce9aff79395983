"""The Microsoft identity platform as the arm peer (arm_server.py) plays it: the token endpoint's grants,
tenant discovery, user realm discovery, and the Azure Instance Metadata Service's managed identity
endpoint. Standard library, plus python3-cryptography to check certificate-signed client assertions.

What each handler follows (learn.microsoft.com):
  - /entra/identity-platform/v2-oauth2-client-creds-grant-flow: POST /{tenant}/oauth2/v2.0/token,
        grant_type=client_credentials, scope=<resource>/.default, with client_secret ("First case"),
        or client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and
        client_assertion ("Second case: Access token request with a certificate").
  - /entra/identity-platform/certificate-credentials ("Assertion format"): header alg RS256 (or PS256),
        typ JWT, x5t (base64url SHA-1 thumbprint of the DER certificate; MSAL Python pads it with '=')
        or x5t#S256 (SHA-256); claims aud = the token endpoint, iss = sub = the client id, jti, exp,
        nbf (optional). The signature is checked against the certificate registered with --client-cert:
        AADSTS700027 for an unknown certificate or a bad signature, AADSTS700024 outside nbf..exp,
        AADSTS50027 for a malformed assertion or wrong aud/iss/sub.
  - /entra/identity-platform/v2-oauth2-ropc: grant_type=password (the Azure CLI's `az login -u -p`),
        answered with access_token, refresh_token, id_token, client_info (with client_info=1) and
        foci "1" for the Azure CLI (a family-of-client-ids app, so MSAL stores family_id).
  - /entra/identity-platform/v2-oauth2-auth-code-flow ("Refresh the access token"): grant_type=
        refresh_token with client_id, refresh_token and scope; a new refresh token comes back with the
        access token (the old one keeps working until it expires or is revoked). A revoked or expired
        refresh token: 400 invalid_grant AADSTS700082 ("The refresh token has expired due to
        inactivity...") or AADSTS50173 (revoked: "The provided grant has expired due to it being
        revoked...").
  - /entra/identity-platform/reference-error-codes and the flows' "Error response" sections: every
        error is {"error", "error_description": "AADSTSnnn: ... Trace ID: ... Correlation ID: ...
        Timestamp: ...", "error_codes": [nnn], "timestamp", "trace_id", "correlation_id", "error_uri"}.
  - /entra/identity-platform/v2-protocols-oidc ("Find your app's OpenID configuration document URI"):
        GET /{tenant}/v2.0/.well-known/openid-configuration (MSAL's tenant discovery) with issuer,
        authorization_endpoint, token_endpoint; the id_token's iss is that issuer.
  - MSAL's user realm discovery before ROPC (GET /common/userrealm/{user}?api-version=1.0):
        account_type Managed.
  - /entra/identity/managed-identities-azure-resources/how-to-use-vm-token ("Get a token using HTTP",
        "Error handling"): GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R
        [&client_id=C] with "Metadata: true"; answers {"access_token", "refresh_token": "", "expires_in",
        "expires_on", "not_before" (strings), "resource", "token_type"}; 400 invalid_request "Required
        metadata header not specified" without the header, 400 invalid_request "Identity not found"
        for a client_id that is not assigned (or no identity at all).

Proven against Microsoft's own clients on this server (tests/servers/aad_az_check.sh, ctest aad_az_check):
  - the Azure CLI 2.45 (Debian's azure-cli, MSAL Python 1.21) over https: MSAL refuses an http
    authority (msal/authority.py, canonicalize: "should consist of an https url"), so the peer also
    listens over TLS with a certificate made by scripts/peers.sh, trusted through REQUESTS_CA_BUNDLE,
    and a custom cloud is registered (`az cloud register --endpoint-active-directory https://127.0.0.1:P`).
    Two MSAL lookups aimed at Microsoft's own hosts are switched off for that run (az_shim/
    sitecustomize.py: instance discovery at login.microsoftonline.com, user realm discovery on port
    443); every token request and the cache az writes stay MSAL's own. Tried, all passing:
      `az login -u -p` (tenant discovery, the password grant; az writes msal_token_cache.json with
      AccessToken, RefreshToken (family_id "1"), IdToken, Account and AppMetadata, and azureProfile.json);
      `az account get-access-token` with the cached access token expired in the cache (the refresh
      token grant; Resource Manager accepts the token); the same after the refresh tokens outlived
      their lifetime (AADSTS700082) and after they were revoked (AADSTS50173), both shown by az;
      `az login --service-principal -p cert.pem` (MSAL's RS256 assertion with x5t, verified here);
      an unknown certificate and a known certificate with another key (AADSTS700027, both shown by az).
  - azure-identity's ManagedIdentityCredential with AZURE_POD_IDENTITY_AUTHORITY_HOST pointed here:
    system-assigned, user-assigned (client_id) and an identity not assigned ("has not been assigned").
"""
import base64
import datetime
import hashlib
import json
import time
import urllib.parse
import uuid

AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    text = text.rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class OAuthError(Exception):
    def __init__(self, status, error, aadsts, description):
        super().__init__(description)
        self.status, self.error, self.aadsts, self.description = status, error, aadsts, description

    def body(self):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        trace = str(uuid.uuid4())
        return {"error": self.error,
                "error_description": f"AADSTS{self.aadsts}: {self.description} Trace ID: {trace} "
                                     f"Correlation ID: {trace} Timestamp: {now}",
                "error_codes": [self.aadsts], "timestamp": now, "trace_id": trace, "correlation_id": trace,
                "error_uri": f"https://login.microsoftonline.com/error?code={self.aadsts}"}


class Directory:
    """The tenant's users, app registrations and the refresh tokens handed out."""

    def __init__(self, args):
        self.user = getattr(args, "user", None) or "ada@contoso.example"
        self.password = getattr(args, "user_password", None) or "skydeck-user-password"
        self.user_oid = str(uuid.uuid5(uuid.NAMESPACE_DNS, self.user))
        self.cert_der = None
        self.cert_public_key = None
        if getattr(args, "client_cert", None):
            self.register_certificate(open(args.client_cert, "rb").read())
        self.managed_identities = {"system": "7d3e1a52-0b1c-4e3d-9f2a-1b2c3d4e5f60", "userAssigned": []}
        self.reset()

    def reset(self):
        self.refresh_tokens = {}   # secret -> {"user", "client_id", "issued", "revoked"}
        self.refresh_lifetime = 90 * 24 * 3600
        self.grants = []           # [{"grant_type", "client_id", "time"}]

    def register_certificate(self, pem):
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        cert = x509.load_pem_x509_certificate(pem)
        self.cert_der = cert.public_bytes(serialization.Encoding.DER)
        self.cert_public_key = cert.public_key()

    def new_refresh_token(self, client_id):
        secret = "0.AR" + b64url(uuid.uuid4().bytes + uuid.uuid4().bytes)
        self.refresh_tokens[secret] = {"user": self.user, "client_id": client_id, "issued": time.time(),
                                       "revoked": False}
        return secret


def base_url(handler, scheme):
    return f"{scheme}://{handler.headers.get('Host', '127.0.0.1')}"


def openid_configuration(handler, state, tenant, scheme):
    base = base_url(handler, scheme)
    if tenant.lower() not in (state.tenant.lower(), "organizations", "common"):
        return handler.send_json(400, OAuthError(400, "invalid_tenant", 90002,
                                                 f"Tenant '{tenant}' not found.").body())
    t = state.tenant if tenant.lower() not in ("organizations", "common") else "{tenantid}"
    handler.send_json(200, {
        "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"], "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/{t}/v2.0", "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base}/oidc/userinfo",
        "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
        "http_logout_supported": True, "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver",
                             "oid"],
        "kerberos_endpoint": f"{base}/{tenant}/kerberos", "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com", "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com", "rbac_url": "https://pas.windows.net"})


def user_realm(handler, state, user):
    domain = user.split("@")[-1]
    handler.send_json(200, {"ver": "1.0", "account_type": "Managed", "domain_name": domain,
                            "cloud_instance_name": "microsoftonline.com",
                            "cloud_audience_urn": "urn:federation:MicrosoftOnline"})


def check_assertion(handler, state, tenant, form, scheme):
    """A certificate-signed client assertion, checked as the certificate-credentials page describes."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    d = state.directory
    parts = form.get("client_assertion", "").split(".")
    if len(parts) != 3:
        raise OAuthError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
    try:
        header = json.loads(unb64url(parts[0]))
        claims = json.loads(unb64url(parts[1]))
        signature = unb64url(parts[2])
    except ValueError:
        raise OAuthError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
    if d.cert_der is None:
        raise OAuthError(401, "invalid_client", 700027,
                         f"The certificate with identifier used to sign the client assertion is not registered on "
                         f"application. [Reason - The key was not found., Thumbprint of key used by client: "
                         f"'{header.get('x5t', '')}'.]")
    sha1, sha256 = hashlib.sha1(d.cert_der).digest(), hashlib.sha256(d.cert_der).digest()
    known = ("x5t#S256" in header and unb64url(header["x5t#S256"]) == sha256) or \
            ("x5t" in header and unb64url(header["x5t"]) == sha1)
    if not known:
        raise OAuthError(401, "invalid_client", 700027,
                         "The certificate with identifier used to sign the client assertion is not registered on "
                         "application. [Reason - The key was not found., Thumbprint of key used by client: "
                         f"'{header.get('x5t#S256') or header.get('x5t', '')}'.]")
    signed = f"{parts[0]}.{parts[1]}".encode()
    alg = header.get("alg")
    try:
        if alg == "RS256":
            d.cert_public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "PS256":
            d.cert_public_key.verify(signature, signed, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        else:
            raise OAuthError(401, "invalid_client", 5002738, f"Invalid JWT token. '{alg}' is not a supported signature "
                                                            "algorithm.")
    except InvalidSignature:
        raise OAuthError(401, "invalid_client", 700027, "Client assertion failed signature validation.")
    endpoint = f"{base_url(handler, scheme)}/{tenant}/oauth2/v2.0/token"
    if claims.get("aud") != endpoint:
        raise OAuthError(401, "invalid_client", 50027,
                         f"JWT token is invalid or malformed: the audience '{claims.get('aud')}' is not {endpoint}.")
    if claims.get("iss") != form["client_id"] or claims.get("sub") != form["client_id"]:
        raise OAuthError(401, "invalid_client", 50027, "JWT token is invalid or malformed: iss and sub must be the "
                                                       "client id.")
    if not claims.get("jti"):
        raise OAuthError(401, "invalid_client", 50027, "JWT token is invalid or malformed: no jti.")
    now = time.time()
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now - 300 or \
            claims.get("nbf", now) > now + 300:
        raise OAuthError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")


def token_endpoint(handler, state, tenant, body, scheme):
    """POST /{tenant}/oauth2/v2.0/token."""
    try:
        handler.send_json(200, grant(handler, state, tenant, body, scheme),
                          {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})
    except OAuthError as e:
        handler.send_json(e.status, e.body())


def grant(handler, state, tenant, body, scheme):
    ctype = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                                                         "'grant_type'.")
    form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
    for name in ("grant_type", "client_id"):
        if not form.get(name):
            raise OAuthError(400, "invalid_request", 900144,
                             f"The request body must contain the following parameter: '{name}'.")
    gt = form["grant_type"]
    if gt not in ("client_credentials", "password", "refresh_token"):
        raise OAuthError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
    if not form.get("scope") and gt != "refresh_token":
        raise OAuthError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                                                         "'scope'.")
    with state.lock:
        d = state.directory
        d.grants.append({"grant_type": gt, "client_id": form["client_id"], "time": time.monotonic(),
                         "tenant": tenant})
        if tenant.lower() not in (state.tenant.lower(), "organizations", "common"):
            raise OAuthError(400, "invalid_request", 90002,
                             f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
                             "signing into the correct cloud.")
        scopes = form.get("scope", "").split()
        resource_scopes = [s for s in scopes if s not in ("openid", "profile", "offline_access")]
        if gt == "client_credentials":
            return client_credentials(handler, state, tenant, form, scheme, resource_scopes)
        if form["client_id"] != AZURE_CLI_CLIENT_ID:
            raise OAuthError(400, "unauthorized_client", 700016,
                             f"Application with identifier '{form['client_id']}' was not found in the directory "
                             f"'{tenant}'.")
        if gt == "password":
            if form.get("username", "").lower() != d.user.lower() or form.get("password") != d.password:
                raise OAuthError(400, "invalid_grant", 50126, "Error validating credentials due to invalid username "
                                                              "or password.")
        else:
            rt = d.refresh_tokens.get(form.get("refresh_token", ""))
            if rt is None:
                raise OAuthError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
            if rt["revoked"]:
                raise OAuthError(400, "invalid_grant", 50173,
                                 "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                                 "The user might have changed or reset their password.")
            if time.time() - rt["issued"] > d.refresh_lifetime:
                issued = datetime.datetime.fromtimestamp(rt["issued"], datetime.timezone.utc)
                raise OAuthError(400, "invalid_grant", 700082,
                                 "The refresh token has expired due to inactivity. The token was issued on "
                                 f"{issued.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z and was inactive for 90.00:00:00.")
        if len(resource_scopes) != 1:
            raise OAuthError(400, "invalid_scope", 70011, f"The provided value for the input parameter 'scope' is not "
                                                          f"valid. The scope {form.get('scope', '')} is not valid.")
        resource_scope = resource_scopes[0]
        real_tenant = state.tenant if tenant.lower() in ("organizations", "common") else tenant
        access = state.issue_token(real_tenant, form["client_id"], resource_scope,
                                   {"idtyp": "user", "upn": d.user, "oid": d.user_oid, "name": "Ada Lovelace",
                                    "scp": "user_impersonation"})
        lifetime = state.token_lifetime
        now = int(time.time())
        base = base_url(handler, scheme)
        id_claims = {"aud": form["client_id"], "iss": f"{base}/{real_tenant}/v2.0", "iat": now, "nbf": now,
                     "exp": now + 3600, "name": "Ada Lovelace", "oid": d.user_oid, "preferred_username": d.user,
                     "sub": b64url(hashlib.sha256(d.user_oid.encode()).digest()), "tid": real_tenant, "ver": "2.0"}
        id_token = b64url(json.dumps({"typ": "JWT", "alg": "RS256", "kid": "skydeck-test"}).encode()) + "." + \
            b64url(json.dumps(id_claims).encode()) + "." + b64url(b"unsigned-test-id-token")
        resource = resource_scope[: -len("/.default")]
        answer = {"token_type": "Bearer",
                  "scope": f"{resource}/user_impersonation {resource_scope}",
                  "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access,
                  "refresh_token": d.new_refresh_token(form["client_id"]), "foci": "1", "id_token": id_token}
        if form.get("client_info") == "1":
            answer["client_info"] = b64url(json.dumps({"uid": d.user_oid, "utid": real_tenant}).encode())
        return answer


def client_credentials(handler, state, tenant, form, scheme, scopes):
    if form["client_id"] != state.client_id:
        raise OAuthError(400, "unauthorized_client", 700016,
                         f"Application with identifier '{form['client_id']}' was not found in the directory "
                         f"'{tenant}'.")
    if form.get("client_assertion_type") == JWT_BEARER:
        check_assertion(handler, state, tenant, form, scheme)
    elif form.get("client_secret") != state.client_secret:
        raise OAuthError(401, "invalid_client", 7000215,
                         "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                         f"secret value, not the client secret ID, for a secret added to app '{state.client_id}'.")
    scope = " ".join(scopes)
    if len(scopes) != 1 or not scope.endswith("/.default"):
        raise OAuthError(400, "invalid_scope", 1002012,
                         f"The provided value for scope {scope} is not valid. Client credential flows must have a scope "
                         "value with /.default suffixed to the resource identifier (application ID URI).")
    token = state.issue_token(tenant, form["client_id"], scope)
    lifetime = state.token_lifetime
    return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}


def imds_token(handler, state, query):
    """GET /metadata/identity/oauth2/token on the Instance Metadata Service."""
    def bad(message):
        handler.send_json(400, {"error": "invalid_request", "error_description": message})
    if handler.headers.get("Metadata", "").lower() != "true":
        return bad("Required metadata header not specified")
    if query.get("api-version") not in ("2018-02-01", "2019-08-01", "2019-11-01", "2021-02-01"):
        return bad("Invalid api-version specified")
    resource = query.get("resource")
    if not resource:
        return bad("Required query variable 'resource' is missing")
    with state.lock:
        ids = state.directory.managed_identities
        state.directory.grants.append({"grant_type": "imds", "client_id": query.get("client_id", ""),
                                       "time": time.monotonic(), "tenant": state.tenant})
        client_id = query.get("client_id")
        if client_id:
            if client_id.lower() not in [c.lower() for c in ids["userAssigned"]] and \
                    client_id.lower() != (ids["system"] or "").lower():
                return bad("Identity not found")
        elif not ids["system"]:
            return bad("Identity not found")
        client_id = client_id or ids["system"]
        token = state.issue_token(state.tenant, client_id, resource + "/.default",
                                  {"idtyp": "app", "xms_mirid": "/subscriptions/x/resourcegroups/x/providers/"
                                                                "Microsoft.Compute/virtualMachines/x"})
        lifetime = state.token_lifetime
    now = int(time.time())
    handler.send_json(200, {"access_token": token, "refresh_token": "", "expires_in": str(lifetime),
                            "expires_on": str(now + lifetime), "ext_expires_in": str(lifetime),
                            "not_before": str(now), "resource": resource, "token_type": "Bearer",
                            "client_id": client_id})
