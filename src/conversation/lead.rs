//! Lead capture: first name, email, phone (skipped where the channel knows it; Telegram offers its
//! "share my contact" button), then yes or no to marketing messages. Each answer is checked here
//! (email syntax, E.164 in the bot's region) and re-asked with a hint when wrong.

use super::{Dialogue, Effect, Facts, Intent, ProfileChange, Step, Turn, menu, start};
use crate::domain::contact::{Channel, Email, LeadForm, Phone, Region};
use crate::domain::reply::{Choice, Reply};

/// Whether every lead detail is known.
pub(super) fn complete(facts: &Facts<'_>) -> bool {
    let contact = facts.contact;
    contact.name.is_some() && contact.email.is_some() && contact.phone.is_some() && contact.consent.is_some()
}

/// Asks for the first missing detail; `greet` first on a brand-new conversation.
pub(super) fn next_question(turn: &mut Turn, facts: &Facts<'_>, recognised: bool) {
    let contact = facts.contact;
    let mut lines = Vec::new();
    if turn.dialogue.step == Step::New {
        // The studio's own welcome is written in its language; others get the catalog's.
        lines.push(match facts.language == facts.bot.language {
            true => (facts.welcome.clone()).unwrap_or_else(|| facts.bot.appearance.welcome.clone()),
            false => facts.t("lead-welcome", &[("studio", facts.bot.name.as_str().into())]),
        });
    }
    if recognised {
        lines.push(facts.t("lead-recognised", &[("name", facts.first_name().into())]));
    }
    let (step, question) = if contact.name.is_none() {
        (Step::AskName, "lead-ask-name")
    } else if contact.email.is_none() {
        (Step::AskEmail, "lead-ask-email")
    } else if contact.phone.is_none() {
        (Step::AskPhone, "lead-ask-phone")
    } else {
        (Step::AskConsent, "lead-ask-consent")
    };
    let name = facts.first_name();
    lines.push(facts.t(question, &[("name", name.into())]));
    let choices = match step {
        Step::AskConsent => vec![
            Choice::new("yes", facts.t("lead-consent-yes", &[])),
            Choice::new("no", facts.t("lead-consent-no", &[])),
        ],
        _ => Vec::new(),
    };
    let text = lines.join("\n\n");
    turn.dialogue.choices = choices.clone();
    turn.effects.push(Effect::Reply(Reply {
        request_contact: step == Step::AskPhone && facts.channel == Channel::Telegram,
        ..Reply::text(text).with_choices(choices)
    }));
    turn.go(step);
}

/// A text while capturing the lead.
pub(super) fn on_text(turn: &mut Turn, dialogue: &Dialogue, text: &str, intent: Intent, facts: &Facts<'_>) {
    match &dialogue.step {
        Step::New => {
            let asked = match intent {
                Intent::Greeting | Intent::Start | Intent::Unknown | Intent::Thanks | Intent::Yes | Intent::No => None,
                other => Some(other),
            };
            turn.dialogue.after_lead = asked.or(dialogue.after_lead);
            if complete(facts) {
                return start(turn, asked.unwrap_or(Intent::Greeting), facts);
            }
            next_question(turn, facts, false)
        }
        step => on_answer(turn, step, text, facts),
    }
}

/// An answer to the current question.
pub(super) fn on_answer(turn: &mut Turn, step: &Step, text: &str, facts: &Facts<'_>) {
    let text = text.trim();
    let change = match step {
        Step::AskName => name(text).map(ProfileChange::Name).ok_or("lead-bad-name"),
        Step::AskEmail => Email::parse(text)
            .map(ProfileChange::Email)
            .map_err(|_| "lead-bad-email"),
        Step::AskPhone => Phone::parse(text, Some(facts.bot.phone_region))
            .map(ProfileChange::Phone)
            .map_err(|_| "lead-bad-phone"),
        Step::AskConsent => match super::intent::detect(text) {
            Intent::Yes => Ok(ProfileChange::Consent(true)),
            Intent::No => Ok(ProfileChange::Consent(false)),
            _ => Err("lead-bad-consent"),
        },
        _ => return next_question(turn, facts, false),
    };
    match change {
        Ok(change) => turn.effects.push(Effect::Save(change)),
        Err(hint) => {
            turn.go(step.clone());
            let retry = if *step == Step::AskConsent {
                vec![
                    Choice::new("yes", facts.t("lead-consent-yes", &[])),
                    Choice::new("no", facts.t("lead-consent-no", &[])),
                ]
            } else {
                Vec::new()
            };
            turn.dialogue.choices = retry.clone();
            turn.effects.push(Effect::Reply(Reply {
                request_contact: *step == Step::AskPhone && facts.channel == Channel::Telegram,
                ..Reply::text(facts.t(hint, &[("got", text.into())])).with_choices(retry)
            }));
        }
    }
}

/// The lead form's details, checked with the rules of the chat's questions: what to save, or
/// each wrong field with the catalog text that explains it.
pub fn check_form(form: &LeadForm, region: Region) -> Result<Vec<ProfileChange>, Vec<(&'static str, &'static str)>> {
    let mut wrong = Vec::new();
    let name = name(&form.name);
    if name.is_none() {
        wrong.push(("name", "lead-bad-name"));
    }
    let email = Email::parse(form.email.trim()).ok();
    if email.is_none() {
        wrong.push(("email", "lead-bad-email"));
    }
    let phone = Phone::parse(form.phone.trim(), Some(region)).ok();
    if phone.is_none() {
        wrong.push(("phone", "lead-bad-phone"));
    }
    match (name, email, phone) {
        (Some(name), Some(email), Some(phone)) => Ok(vec![
            ProfileChange::Name(name),
            ProfileChange::Email(email),
            ProfileChange::Phone(phone),
            ProfileChange::Consent(form.consent),
        ]),
        _ => Err(wrong),
    }
}

/// The widget's lead form: every detail saved at once, or each wrong one explained.
pub(super) fn on_form(turn: &mut Turn, step: &Step, form: &LeadForm, facts: &Facts<'_>) {
    match check_form(form, facts.bot.phone_region) {
        Ok(changes) => {
            if *step == Step::Menu {
                turn.go(Step::AskConsent);
            }
            turn.effects.push(Effect::SaveAll(changes));
        }
        Err(wrong) => {
            let lines: Vec<String> = wrong
                .iter()
                .map(|(field, hint)| facts.t(hint, &[("got", form.typed(field).into())]))
                .collect();
            turn.say(lines.join("\n"), Vec::new());
        }
    }
}

/// A choice while capturing the lead (the consent buttons).
pub(super) fn on_choice(turn: &mut Turn, step: &Step, key: &str, facts: &Facts<'_>) {
    match (step, key) {
        (Step::AskConsent, "yes") => turn.effects.push(Effect::Save(ProfileChange::Consent(true))),
        (Step::AskConsent, "no") => turn.effects.push(Effect::Save(ProfileChange::Consent(false))),
        _ => next_question(turn, facts, false),
    }
}

/// After a detail was saved: the next question, or what they asked for at first.
pub(super) fn after_save(turn: &mut Turn, recognised: Option<String>, facts: &Facts<'_>) {
    if !complete(facts) {
        return next_question(turn, facts, recognised.is_some());
    }
    if turn.dialogue.step == Step::Menu {
        return;
    }
    let name = facts.first_name();
    let thanks = match recognised {
        Some(_) => facts.t("lead-recognised", &[("name", name.into())]),
        None => facts.t("lead-done", &[("name", name.into())]),
    };
    turn.effects.push(Effect::Reply(Reply::text(thanks)));
    match turn.dialogue.after_lead.take() {
        Some(intent) => start(turn, intent, facts),
        None => {
            turn.go(Step::Menu);
            let text = facts.t("visitor-menu", &[]);
            turn.say(text, menu(facts));
        }
    }
}

/// A plausible name: letters, spaces, hyphens and apostrophes, 1 to 60 characters.
fn name(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let ok = !text.is_empty()
        && text.chars().count() <= 60
        && text.chars().any(char::is_alphabetic)
        && text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'));
    ok.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::name;

    #[test]
    fn names_are_letters_spaces_and_hyphens() {
        assert_eq!(name("  Marie   Dupont "), Some("Marie Dupont".into()));
        assert_eq!(name("Jean-Éric O'Neil"), Some("Jean-Éric O'Neil".into()));
        assert_eq!(name("marie@example.fr"), None);
        assert_eq!(name("12345"), None);
        assert_eq!(name(&"a".repeat(61)), None);
    }
}
