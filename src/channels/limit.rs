//! A per-sender rate limit, so one person (or a script) cannot flood the engine: each sender of
//! each bot and channel gets `per_minute` messages a minute, with bursts up to that number.
//! Messages over the limit are acknowledged to the platform (it must not retry them) and dropped,
//! logged and counted in `/metrics`. The limit is per process: with several replicas behind a load
//! balancer a sender gets at most that many per replica.

use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

/// The limiter; `None` inside when the setting is 0 (off).
pub struct SenderLimit {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
}

impl SenderLimit {
    /// `per_minute` messages a minute per sender; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(per_minute).map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Whether this sender may send one more message now.
    pub fn allow(&self, bot: &str, channel: crate::domain::contact::Channel, sender: &str) -> bool {
        let Some(limiter) = &self.limiter else { return true };
        let allowed = limiter.check_key(&format!("{bot}:{channel}:{sender}")).is_ok();
        if !allowed {
            tracing::warn!(bot, %channel, sender, "rate limit: message dropped");
            metrics::counter!("coachbot_rate_limited_total", "channel" => channel.as_str()).increment(1);
        }
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::Channel;

    #[test]
    fn a_sender_over_the_limit_is_held_back_and_others_are_not() {
        let limit = SenderLimit::new(3);
        let tries: Vec<bool> = (0..5).map(|_| limit.allow("demo", Channel::Telegram, "1")).collect();
        assert_eq!(tries, [true, true, true, false, false]);
        assert!(limit.allow("demo", Channel::Telegram, "2"), "another sender");
        assert!(
            limit.allow("demo", Channel::Whatsapp, "1"),
            "the same id on another channel"
        );
        let off = SenderLimit::new(0);
        assert!((0..100).all(|_| off.allow("demo", Channel::Web, "1")));
    }
}
