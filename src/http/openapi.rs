//! The widget API's OpenAPI description, generated from the handlers' annotations.

use super::widget;

/// The web widget API.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "coachbot web widget API",
        description = "What the embedded chat widget calls: its configuration, the lead form, messages, and the replies as server-sent events."
    ),
    paths(
        widget::config::config,
        widget::messages::lead,
        widget::messages::message,
        widget::stream::events
    ),
    components(schemas(
        widget::config::WidgetConfig,
        widget::config::KnownVisitor,
        widget::messages::LeadRequest,
        widget::messages::MessageRequest,
        widget::messages::WidgetContent,
        widget::messages::Accepted,
        widget::stream::ReplyEvent,
        crate::channels::web::WebReply,
        crate::channels::web::WebChoice,
        crate::channels::web::WebImage,
    ))
)]
pub struct WidgetApi;
