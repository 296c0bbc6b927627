//! The tools offered to the model, as OpenAI `tools` entries. A visitor gets the visitor tools
//! only; the coach's tools are offered to senders listed as coach, never to anyone else.

use serde_json::{Value, json};

fn tool(name: &str, description: &str, parameters: Value) -> Value {
    json!({ "type": "function", "function": { "name": name, "description": description, "parameters": parameters } })
}

fn no_arguments() -> Value {
    json!({ "type": "object", "properties": {}, "additionalProperties": false })
}

/// What a visitor's model may call.
pub fn visitor() -> Vec<Value> {
    vec![
        tool(
            "list_courses",
            "The studio's courses: id, name, description, place, duration.",
            no_arguments(),
        ),
        tool(
            "list_sessions",
            "Sessions open for booking, with their id, start (local time) and seats left.",
            json!({ "type": "object", "properties": {
                "course": { "type": "string", "description": "A course id from list_courses (all courses when omitted)" },
                "from": { "type": "string", "description": "First day, YYYY-MM-DD (today when omitted)" },
                "to": { "type": "string", "description": "Last day, YYYY-MM-DD" }
            }, "additionalProperties": false }),
        ),
        tool(
            "list_offers",
            "The offers (single class, packs, subscriptions) with their prices.",
            no_arguments(),
        ),
        tool(
            "check_promo",
            "Whether a promo code applies to an offer for a session, and the price with it.",
            json!({ "type": "object", "properties": {
                "code": { "type": "string" }, "offer": { "type": "string" }, "session": { "type": "string" }
            }, "required": ["code", "offer", "session"], "additionalProperties": false }),
        ),
        tool(
            "book",
            "Books a session with an offer for this visitor (after they agreed); gives the reference and the price.",
            json!({ "type": "object", "properties": {
                "session": { "type": "string", "description": "A session id from list_sessions" },
                "offer": { "type": "string", "description": "An offer id from list_offers" },
                "promo": { "type": "string", "description": "A promo code the visitor typed" }
            }, "required": ["session", "offer"], "additionalProperties": false }),
        ),
        tool(
            "my_bookings",
            "This visitor's bookings to come, with their references.",
            no_arguments(),
        ),
        tool(
            "cancel_booking",
            "Cancels one of this visitor's bookings (after they agreed); says whether it was late.",
            json!({ "type": "object", "properties": {
                "reference": { "type": "string", "description": "The booking's reference from my_bookings" }
            }, "required": ["reference"], "additionalProperties": false }),
        ),
        tool(
            "move_booking",
            "Moves one of this visitor's bookings to another session of the same course (after they agreed).",
            json!({ "type": "object", "properties": {
                "reference": { "type": "string", "description": "The booking's reference from my_bookings" },
                "session": { "type": "string", "description": "The new session's id from list_sessions" }
            }, "required": ["reference", "session"], "additionalProperties": false }),
        ),
        tool(
            "save_contact",
            "Updates this visitor's details (all four, checked like the chat's questions).",
            json!({ "type": "object", "properties": {
                "name": { "type": "string" }, "email": { "type": "string" }, "phone": { "type": "string" },
                "consent": { "type": "boolean", "description": "Yes to the studio's news and offers" }
            }, "required": ["name", "email", "phone", "consent"], "additionalProperties": false }),
        ),
        tool(
            "my_credits",
            "This visitor's packs and subscriptions: credits left and end date.",
            no_arguments(),
        ),
        tool(
            "handoff_to_coach",
            "Sends the coach a summary so they answer the visitor themselves.",
            json!({ "type": "object", "properties": {
                "summary": { "type": "string", "description": "What the visitor wants, in one or two sentences" }
            }, "required": ["summary"], "additionalProperties": false }),
        ),
    ]
}

/// What the coach's model may call.
pub fn coach() -> Vec<Value> {
    vec![tool(
        "propose_command",
        "Proposes one coach command (as typed in chat, starting with /). Commands that change something are shown to the coach with a preview and run only after they confirm; read-only ones run at once and give their result.",
        json!({ "type": "object", "properties": {
            "command": { "type": "string", "description": "The command line, e.g. /promo 10 -20% exp:31/12 offre:pack10" }
        }, "required": ["command"], "additionalProperties": false }),
    )]
}

/// The names of a list of tools.
pub fn names(tools: &[Value]) -> Vec<&str> {
    tools.iter().filter_map(|t| t["function"]["name"].as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_never_get_the_coach_tool() {
        let visitor = visitor();
        assert!(!names(&visitor).contains(&"propose_command"));
        assert_eq!(names(&coach()), ["propose_command"]);
        assert!(names(&visitor).contains(&"book"));
    }
}
