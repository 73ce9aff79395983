"""Loaded (PYTHONPATH) into the Azure CLI when it signs in to the arm peer's https port (az_login.sh).
Two MSAL calls that only make sense against Microsoft's own hosts are switched off; every token request,
and the cache MSAL writes, stay MSAL's own:
  - instance discovery: MSAL asks https://login.microsoftonline.com/common/discovery/instance about an
    authority it does not know (msal/authority.py), which a loopback test cannot answer;
  - user realm discovery before a password grant goes to https://{host}/common/userrealm/ on port 443
    whatever the authority's port (Authority.user_realm_discovery uses the host name only); the peer
    would answer account_type Managed, which is what skipping it assumes.
"""
try:
    import msal.application as _application
    import msal.authority as _authority

    _init = _application.ClientApplication.__init__

    def _without_instance_discovery(self, *args, **kwargs):
        kwargs.setdefault("instance_discovery", False)
        _init(self, *args, **kwargs)

    _application.ClientApplication.__init__ = _without_instance_discovery
    _authority.Authority._domains_without_user_realm_discovery.update({"127.0.0.1", "localhost"})
except ImportError:
    pass
