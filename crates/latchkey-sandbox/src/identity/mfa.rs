//! The sandbox's stand-in for Microsoft Authenticator number matching: when a sign-in's claims
//! ask for MFA or an authentication context, the sign-in page shows a two-digit number and the
//! person "enters it in the app" by typing it back. Scripts read `data-mfa-number` from the page
//! and post `mfa_challenge` + `mfa_number` with the same fields as before.

use rand::Rng;

use super::store::MfaChallenge;
use super::Form;
use crate::html::escape;
use crate::state::SandboxState;
use crate::tenant::User;

/// How long a shown number stays valid.
const CHALLENGE_LIFETIME: chrono::Duration = chrono::Duration::minutes(5);

/// Where the MFA step of a sign-in stands after a form post.
pub enum MfaStep {
    /// The person entered the right number.
    Done,
    /// Show this page body (the number to enter, maybe with an error) and wait.
    Show(String),
}

/// Runs the MFA step for `user`: verifies a posted number or shows a new one. `hidden` are the
/// fields the page re-posts so the sign-in continues where it was; `action` is the form target.
pub fn step(
    state: &SandboxState,
    form: &Form,
    user: &User,
    hidden: &[(&str, &str)],
    action: &str,
) -> MfaStep {
    let now = state.clock.now();
    let mut challenges = state.identity.mfa_challenges();
    challenges.retain(|_, c| c.expires_at > now);
    let posted = form.get("mfa_challenge").and_then(|id| {
        challenges
            .get(id)
            .filter(|c| c.user_id == user.id)
            .map(|c| (id.clone(), c.number))
    });
    let (id, number, error) = match (posted, form.get("mfa_challenge")) {
        (Some((id, number)), _) => {
            let typed = form.get("mfa_number").map(|n| n.trim()).unwrap_or_default();
            if typed == number.to_string() {
                challenges.remove(&id);
                return MfaStep::Done;
            }
            (
                id,
                number,
                Some("That number doesn't match. Enter the number shown on this page."),
            )
        }
        (None, previous) => {
            let number = rand::thread_rng().gen_range(10..100u8);
            let id = crate::token::opaque(18);
            challenges.insert(
                id.clone(),
                MfaChallenge {
                    user_id: user.id.clone(),
                    number,
                    expires_at: now + CHALLENGE_LIFETIME,
                },
            );
            let error = previous.map(|_| "That approval request expired. Use the new number.");
            (id, number, error)
        }
    };
    MfaStep::Show(page_body(user, hidden, action, &id, number, error))
}

fn page_body(
    user: &User,
    hidden: &[(&str, &str)],
    action: &str,
    id: &str,
    number: u8,
    error: Option<&str>,
) -> String {
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e)))
        .unwrap_or_default();
    let hidden: String = hidden
        .iter()
        .chain(&[("mfa_challenge", id)])
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(name),
                escape(value)
            )
        })
        .collect();
    format!(
        r#"<p>Your organisation requires multi-factor authentication for this sign-in, {name}.</p>
<p>Approve the sign-in in the Authenticator app: enter the number <strong class="mfa-number" data-mfa-number="{number}">{number}</strong>.</p>
{error}
<form method="post" action="{action}">
{hidden}
<label for="mfa_number">Number shown above (the sandbox's Authenticator app)</label>
<input id="mfa_number" name="mfa_number" inputmode="numeric" autocomplete="one-time-code" autofocus required>
<div class="actions">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="decline" formnovalidate>Deny</button>
</div></form>"#,
        name = escape(&user.display_name),
        action = escape(action),
    )
}
