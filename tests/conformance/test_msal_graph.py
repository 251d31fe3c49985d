"""Conformance: Microsoft's own Python libraries, from PyPI and unmodified, against the sandbox.

The sandbox is only useful if it behaves like Entra ID and Microsoft Graph closely enough that
Microsoft's client libraries work against it with configuration alone. These tests run the
standalone sandbox binary with ``--tls`` and drive it with:

* ``msal`` (PublicClientApplication): device-code sign-in, the account MSAL builds from
  ``client_info``, id-token claims, refresh through ``acquire_token_silent(force_refresh=True)``,
  and a claims challenge that a password-only session cannot satisfy silently.
* ``msgraph-sdk`` with ``azure-identity``'s DeviceCodeCredential (which is MSAL underneath):
  PIM for Groups end to end -- list eligibilities, activate a membership, ask for one that needs
  approval, approve it as the approver through v1.0 ``assignmentApprovals/{id}/stages/{id}``, and
  read the request again. The SDK's own request builders build the URLs and its models parse
  the sandbox's JSON, so a response shape the SDK cannot read fails here.

Only documented configuration is used (reference ``graph-pim-api.md`` section 8): an https
authority on the sandbox's port, ``instance_discovery=False`` / ``disable_instance_discovery``,
the sandbox's CA through ``verify=`` / ``connection_verify=`` / an ``ssl`` context for httpx,
``allowed_hosts`` for the Kiota auth provider (it attaches tokens only to hosts it knows), and the
request adapter's ``base_url``. Nothing is patched or monkey-patched.

Environment: ``LATCHKEY_SANDBOX_BIN`` is the built sandbox binary (scripts/conformance.sh builds
it); ``LATCHKEY_CONFORMANCE_DIR`` is where the CA and the sandbox log go.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import select
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import msal
import msgraph.graph_request_adapter as graph_adapter_defaults
import pytest
import requests
from azure.identity import DeviceCodeCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.identity_governance.privileged_access.group.assignment_schedule_requests.filter_by_current_user_with_on.filter_by_current_user_with_on_request_builder import (
    FilterByCurrentUserWithOnRequestBuilder as RequestsByCurrentUser,
)
from msgraph.generated.models.approval_stage import ApprovalStage
from msgraph.generated.models.expiration_pattern import ExpirationPattern
from msgraph.generated.models.expiration_pattern_type import ExpirationPatternType
from msgraph.generated.models.privileged_access_group_assignment_schedule_request import (
    PrivilegedAccessGroupAssignmentScheduleRequest,
)
from msgraph.generated.models.privileged_access_group_relationships import (
    PrivilegedAccessGroupRelationships,
)
from msgraph.generated.models.request_schedule import RequestSchedule
from msgraph.generated.models.schedule_request_actions import ScheduleRequestActions
from msgraph.generated.models.ticket_info import TicketInfo
from msgraph_core import GraphClientFactory
from kiota_abstractions.base_request_configuration import RequestConfiguration

# The demo tenant (crates/latchkey-sandbox/data/demo-tenant.json).
CLIENT_ID = "3c283852-3d99-4261-9837-92c6a96d53fd"
TENANT_ID = "24940804-69ba-4f7c-b808-c78a600478c6"
ADA = ("ada@fabrikam.example", "8593dd9e-f545-42a4-bb60-1960cbb136bd")
CHLOE = ("chloe@fabrikam.example", "b34a9392-473f-4a62-be71-8ef714fc9234")
ONCALL_RESPONDERS = "33f73669-9719-4f27-9afa-4a29fdc859ba"
PROD_DB_ADMINS = "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd"

GRAPH = "https://graph.microsoft.com"
# Least-privileged delegated scopes for PIM for Groups (reference section 1.6).
PIM_SCOPES = [
    f"{GRAPH}/PrivilegedEligibilitySchedule.Read.AzureADGroup",
    f"{GRAPH}/PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
]
MFA_CLAIMS = '{"access_token":{"amr":{"values":["mfa"]}}}'

# requests lets these variables override a Session's own `verify` (psf/requests#3829), and MSAL
# hands `verify=` to its Session: on a machine that sets a system bundle in them (many CI images
# do), MSAL would then distrust the sandbox despite `verify=`. They only name the system bundle,
# which nothing here needs, so drop them for this process.
for _variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(_variable, None)

START_TIMEOUT_S = 60  # the binary is already built; this covers a loaded 2-core machine
HTTP_TIMEOUT_S = 15
SIGN_IN_TIMEOUT_S = 30


class Sandbox:
    """The standalone sandbox binary, serving HTTPS on a free port."""

    def __init__(self, workdir: Path) -> None:
        binary = os.environ.get("LATCHKEY_SANDBOX_BIN")
        if not binary:
            raise RuntimeError("LATCHKEY_SANDBOX_BIN is not set (run scripts/conformance.sh)")
        self.ca_path = str(workdir / "sandbox-ca.pem")
        self.log_path = workdir / "sandbox.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 -- closed in stop()
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--tls", "--ca-out", self.ca_path,
             # MSAL sleeps `interval` between polls; 1 s keeps a pending poll short.
             "--device-code-interval", "1"],
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        self.base_url = self._read_base_url()
        self.port = int(self.base_url.rsplit(":", 1)[1])

    def _read_base_url(self) -> str:
        # The first stdout line is "latchkey-sandbox listening on https://127.0.0.1:PORT".
        assert self.proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(
                    f"sandbox did not start (see {self.log_path}); got {line!r}")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1)
                if not chunk:
                    continue
                line += chunk
        match = re.search(rb"listening on (https://\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"unexpected first line from the sandbox: {line!r}")
        return match.group(1).decode()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def sandbox():
    workdir = Path(os.environ.get("LATCHKEY_CONFORMANCE_DIR") or tempfile.mkdtemp())
    workdir.mkdir(parents=True, exist_ok=True)
    box = Sandbox(workdir)
    yield box
    box.stop()


def complete_device_login(sandbox: Sandbox, verification_uri: str, user_code: str, upn: str):
    """What a person does on the device-login page, as the page's one scripted POST."""
    assert verification_uri == f"{sandbox.base_url}/devicelogin", verification_uri
    page = requests.post(
        verification_uri,
        data={"user_code": user_code, "login_hint": upn, "decision": "approve"},
        verify=sandbox.ca_path,
        timeout=HTTP_TIMEOUT_S,
    )
    assert page.status_code == 200, page.text
    assert "signed in" in page.text, page.text


# ---------------------------------------------------------------------------------------------
# MSAL
# ---------------------------------------------------------------------------------------------


def msal_app(sandbox: Sandbox) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        CLIENT_ID,
        authority=f"{sandbox.base_url}/organizations",
        # Skip https://login.microsoftonline.com/common/discovery/instance (reference section 8).
        instance_discovery=False,
        client_capabilities=["cp1"],
        verify=sandbox.ca_path,
        timeout=HTTP_TIMEOUT_S,
    )


def msal_device_sign_in(sandbox: Sandbox, app: msal.PublicClientApplication, upn: str) -> dict:
    flow = app.initiate_device_flow(scopes=PIM_SCOPES)
    assert "user_code" in flow, flow
    complete_device_login(sandbox, flow["verification_uri"], flow["user_code"], upn)
    deadline = time.time() + SIGN_IN_TIMEOUT_S
    return app.acquire_token_by_device_flow(flow, exit_condition=lambda _: time.time() > deadline)


@pytest.fixture(scope="module")
def ada_msal(sandbox):
    app = msal_app(sandbox)
    first = msal_device_sign_in(sandbox, app, ADA[0])
    return app, first


def test_msal_device_code_sign_in(ada_msal):
    _, result = ada_msal
    assert "access_token" in result, result
    assert result.get("refresh_token"), "offline_access is implied by MSAL; a refresh token must come back"
    assert result["token_type"] == "Bearer"
    claims = result["id_token_claims"]
    assert claims["aud"] == CLIENT_ID
    assert claims["oid"] == ADA[1]
    assert claims["tid"] == TENANT_ID
    assert claims["preferred_username"] == ADA[0]
    assert claims["exp"] > claims["iat"]


def test_msal_account_comes_from_client_info(ada_msal):
    app, _ = ada_msal
    accounts = app.get_accounts()
    assert len(accounts) == 1, accounts
    account = accounts[0]
    # uid.utid from client_info; without it MSAL would fall back to the id token's `sub`.
    assert account["home_account_id"] == f"{ADA[1]}.{TENANT_ID}"
    assert account["username"] == ADA[0]
    assert account["local_account_id"] == ADA[1]


def test_msal_silent_force_refresh_uses_the_refresh_token(ada_msal):
    app, first = ada_msal
    account = app.get_accounts(username=ADA[0])[0]
    cached = app.acquire_token_silent(PIM_SCOPES, account=account)
    assert cached and cached["access_token"] == first["access_token"]
    assert cached["token_source"] == "cache"
    refreshed = app.acquire_token_silent(PIM_SCOPES, account=account, force_refresh=True)
    assert refreshed and "access_token" in refreshed, refreshed
    assert refreshed["token_source"] == "identity_provider"
    assert refreshed["access_token"] != first["access_token"]


def test_msal_mfa_claims_challenge_needs_interaction(ada_msal):
    app, _ = ada_msal
    account = app.get_accounts(username=ADA[0])[0]
    # Ada signed in with a password only; Entra cannot add `mfa` to her session silently.
    assert app.acquire_token_silent(PIM_SCOPES, account=account, claims_challenge=MFA_CLAIMS) is None
    result = app.acquire_token_silent_with_error(
        PIM_SCOPES, account=account, claims_challenge=MFA_CLAIMS)
    assert result and "access_token" not in result, result
    assert result["error"] in ("invalid_grant", "interaction_required"), result
    assert 50076 in result.get("error_codes", []), result


# ---------------------------------------------------------------------------------------------
# Microsoft Graph SDK (msgraph-sdk + azure-identity)
# ---------------------------------------------------------------------------------------------


def device_code_credential(sandbox: Sandbox, upn: str) -> DeviceCodeCredential:
    return DeviceCodeCredential(
        client_id=CLIENT_ID,
        tenant_id="organizations",
        authority=f"127.0.0.1:{sandbox.port}",
        disable_instance_discovery=True,
        # azure-identity shows the code through this callback; the "person" completes it here.
        prompt_callback=lambda uri, code, _expires: complete_device_login(sandbox, uri, code, upn),
        timeout=SIGN_IN_TIMEOUT_S,
        connection_verify=sandbox.ca_path,
    )


def graph_client(sandbox: Sandbox, credential: DeviceCodeCredential) -> GraphServiceClient:
    """A Graph client for one asyncio.run: httpx connections belong to the loop that made them."""
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=PIM_SCOPES, allowed_hosts=["127.0.0.1"])
    http = httpx.AsyncClient(
        verify=ssl.create_default_context(cafile=sandbox.ca_path),
        timeout=HTTP_TIMEOUT_S,
        http2=True,
    )
    # The SDK's own middleware (retry, redirect, telemetry, /me rewrite) on our httpx client.
    http = GraphClientFactory.create_with_default_middleware(
        client=http, options=graph_adapter_defaults.options)
    adapter = GraphRequestAdapter(auth, http)
    adapter.base_url = f"{sandbox.base_url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=2 * SIGN_IN_TIMEOUT_S))


def group_pim(client: GraphServiceClient):
    return client.identity_governance.privileged_access.group


def activation(group_id: str, hours: int, justification: str, ticket: TicketInfo | None = None):
    return PrivilegedAccessGroupAssignmentScheduleRequest(
        access_id=PrivilegedAccessGroupRelationships.Member,
        principal_id=ADA[1],
        group_id=group_id,
        action=ScheduleRequestActions.SelfActivate,
        justification=justification,
        ticket_info=ticket,
        schedule_info=RequestSchedule(
            start_date_time=dt.datetime.now(dt.timezone.utc),
            # An ISO 8601 string, not a timedelta: kiota-serialization-json writes a timedelta
            # with str() ("1:00:00"), which is no Edm.Duration; Graph answers 400 to it and so
            # does the sandbox. The writer accepts a duration string and sends it verbatim.
            expiration=ExpirationPattern(
                type=ExpirationPatternType.AfterDuration, duration=f"PT{hours}H"),
        ),
    )


@pytest.fixture(scope="module")
def state():
    """What the Graph tests hand on to each other (they run in file order)."""
    return {}


def test_graph_lists_adas_eligible_groups(sandbox, state):
    state["ada"] = device_code_credential(sandbox, ADA[0])
    ada = graph_client(sandbox, state["ada"])

    async def go():
        return await group_pim(ada).eligibility_schedule_instances \
            .filter_by_current_user_with_on("principal").get()

    page = run(go())
    assert page is not None and page.value, page
    assert all(i.principal_id == ADA[1] for i in page.value)
    groups = {i.group_id for i in page.value}
    assert {ONCALL_RESPONDERS, PROD_DB_ADMINS} <= groups, groups
    assert all(i.access_id == PrivilegedAccessGroupRelationships.Member
               for i in page.value if i.group_id in (ONCALL_RESPONDERS, PROD_DB_ADMINS))


def test_graph_activates_oncall_responders(sandbox, state):
    ada = graph_client(sandbox, state["ada"])

    async def go():
        return await group_pim(ada).assignment_schedule_requests.post(
            activation(ONCALL_RESPONDERS, 1, "Paged for the checkout latency incident"))

    created = run(go())
    assert created is not None and created.id
    assert created.status == "Provisioned", created.status
    assert created.group_id == ONCALL_RESPONDERS
    assert created.action == ScheduleRequestActions.SelfActivate
    assert created.schedule_info.expiration.duration == dt.timedelta(hours=1)


def test_graph_prod_db_admins_waits_for_approval(sandbox, state):
    ada = graph_client(sandbox, state["ada"])
    ticket = TicketInfo(ticket_number="CHG-2041", ticket_system="ServiceNow")

    async def go():
        return await group_pim(ada).assignment_schedule_requests.post(
            activation(PROD_DB_ADMINS, 2, "Schema migration for release 4.2", ticket))

    created = run(go())
    assert created is not None
    assert created.status == "PendingApproval", created.status
    assert created.approval_id, "a request that needs approval names its approval"
    assert created.ticket_info.ticket_number == "CHG-2041"
    state["prod_db_request"] = created.id
    state["prod_db_approval"] = created.approval_id


def test_graph_chloe_approves_through_v1_stages(sandbox, state):
    chloe = graph_client(sandbox, device_code_credential(sandbox, CHLOE[0]))
    approval_id = state["prod_db_approval"]

    async def go():
        config = RequestConfiguration(
            query_parameters=RequestsByCurrentUser.FilterByCurrentUserWithOnRequestBuilderGetQueryParameters(
                filter="status eq 'PendingApproval'"))
        inbox = await group_pim(chloe).assignment_schedule_requests \
            .filter_by_current_user_with_on("approver").get(request_configuration=config)
        approval = await group_pim(chloe).assignment_approvals.by_approval_id(approval_id).get()
        stage = next(s for s in approval.stages if s.status == "InProgress" and s.assigned_to_me)
        await group_pim(chloe).assignment_approvals.by_approval_id(approval_id) \
            .stages.by_approval_stage_id(stage.id) \
            .patch(ApprovalStage(review_result="Approve", justification="Change CHG-2041 is approved"))
        return inbox, stage

    inbox, stage = run(go())
    assert state["prod_db_request"] in {r.id for r in inbox.value}, inbox.value
    assert stage.review_result == "NotReviewed"


def test_graph_approved_request_reads_provisioned(sandbox, state):
    ada = graph_client(sandbox, state["ada"])

    async def go():
        return await group_pim(ada).assignment_schedule_requests \
            .by_privileged_access_group_assignment_schedule_request_id(state["prod_db_request"]).get()

    request = run(go())
    assert request is not None
    assert request.status == "Provisioned", request.status
