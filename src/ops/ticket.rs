//! A booking's ticket: the signed token and what the image shows, shared by `GET /t/{token}.png`,
//! the CLI and the dialogue.

use crate::config::bots::Bot;
use crate::domain::booking::Booking;
use crate::domain::ticket;
use crate::ops::checkin::short_name;
use crate::store::{Store, StoreError};
use crate::tickets::TicketFacts;

/// The ticket token of a booking, signed with the bot's key.
pub fn token(key: &[u8], booking: &Booking) -> String {
    ticket::sign(key, &booking.bot, &booking.id)
}

/// What a booking's ticket shows: the studio, the course, the date and time in the bot's zone, the
/// visitor's first name.
pub async fn facts(store: &dyn Store, bot: &Bot, booking: &Booking) -> Result<TicketFacts, StoreError> {
    let session = store.get_session(&bot.id, &booking.session).await?;
    let course = store.get_course(&bot.id, &session.course).await?;
    let first_name = match store.get_contact(&bot.id, &booking.contact).await {
        Ok(contact) => contact.name.map(|n| short_name(&n)).unwrap_or_default(),
        Err(StoreError::NotFound) => String::new(),
        Err(e) => return Err(e),
    };
    Ok(TicketFacts {
        studio: bot.name.clone(),
        course: course.name,
        when: session
            .start
            .with_timezone(&bot.time_zone)
            .format("%d/%m/%Y · %H:%M")
            .to_string(),
        first_name,
    })
}
