//! Running promo commands: each returns the coach's reply, one confirmation line per change.

use super::Describe;
use super::export::{ExportError, contact_label, write_csv};
use super::generate::{GenerateError, apply_changes, check_ids, generate, resolve_contact};
use super::grammar::{EditCode, OPTIONS, PromoCommand, Switch, TermChanges};
use crate::admin::AdminContext;
use crate::domain::BatchId;
use crate::domain::promo::{PromoCode, PromoTerms, TermField};
use crate::domain::reply::{Attachment, Reply};
use crate::store::{PageRequest, StoreError};
use crate::t;

/// Codes listed in a chat reply; beyond, the reply points to the CSV export.
const LISTED: usize = 30;

/// Runs a promo command for the coach.
pub async fn execute(command: PromoCommand, ctx: &AdminContext<'_>, rng: &mut (dyn rand::RngCore + Send)) -> Reply {
    let result = match command {
        PromoCommand::Help => Ok(Reply::text(help(ctx))),
        PromoCommand::Generate(spec) => create(ctx, &spec, rng).await,
        PromoCommand::EditCode(edit) => edit_code(ctx, &edit).await,
        PromoCommand::EditBatch { batch, terms } => edit_batch(ctx, &batch, &terms).await,
        PromoCommand::ListBatches => list_batches(ctx).await,
        PromoCommand::ListCodes(batch) => list_codes(ctx, &batch).await,
        PromoCommand::Export(batch) => export(ctx, &batch).await.map_err(|e| match e {
            ExportError::Store(store) => GenerateError::Store(store),
            ExportError::Write(write) => GenerateError::Store(StoreError::Backend(write.to_string())),
        }),
    };
    result.unwrap_or_else(|error| Reply::text(explain(ctx, error)))
}

/// What the coach is told when a promo command fails.
pub fn explain(ctx: &AdminContext<'_>, error: GenerateError) -> String {
    match error {
        GenerateError::UnknownOffer { id, known } => {
            let line = ctx.text(
                "promo-error-unknown-offer",
                &[("id", id.into()), ("known", known.join(", ").into())],
            );
            format!(
                "{line}\n{}",
                ctx.text("admin-example", &[("example", "/promo 10 -20% offre:pack10".into())])
            )
        }
        GenerateError::UnknownCourse { id, known } => {
            let line = ctx.text(
                "promo-error-unknown-course",
                &[("id", id.into()), ("known", known.join(", ").into())],
            );
            format!(
                "{line}\n{}",
                ctx.text("admin-example", &[("example", "/promo 10 -20% cours:yoga-doux".into())])
            )
        }
        GenerateError::Exhausted => ctx.text("promo-error-exhausted", &[]),
        GenerateError::Store(StoreError::NotFound) => ctx.text("promo-error-not-found", &[]),
        GenerateError::Store(error) => {
            tracing::error!(%error, "promo command failed");
            ctx.text("admin-error-internal", &[])
        }
    }
}

/// `/promo aide`: the grammar, from the option table.
pub fn help(ctx: &AdminContext<'_>) -> String {
    let mut out = ctx.text("promo-help-intro", &[]);
    for option in OPTIONS {
        out.push_str(&format!(
            "\n• {}: {} — {}",
            option.names.join(" / "),
            ctx.text(option.help, &[]),
            option.example
        ));
    }
    out.push('\n');
    out.push_str(&ctx.text("promo-help-examples", &[]));
    out
}

/// What `/promo N …` would create, in words (`10 codes : -20 %, jusqu'au 06/12/2026, …`), for a
/// confirmation before it runs.
pub fn preview(ctx: &AdminContext<'_>, spec: &super::grammar::Generate) -> Option<String> {
    let discount = spec.terms.discount?;
    let terms = apply_changes(&super::generate::default_terms(discount), &spec.terms, ctx.bot, ctx.now);
    let summary = describe(ctx).summary(&terms);
    Some(t!(ctx.texts, ctx.language, "promo-preview", "count" => spec.count, "summary" => summary))
}

fn describe<'a>(ctx: &'a AdminContext<'a>) -> Describe<'a> {
    Describe {
        bot: ctx.bot,
        texts: ctx.texts,
        language: ctx.language,
    }
}

async fn create(
    ctx: &AdminContext<'_>,
    spec: &super::grammar::Generate,
    rng: &mut (dyn rand::RngCore + Send),
) -> Result<Reply, GenerateError> {
    let mut codes: Vec<String> = Vec::with_capacity(spec.count as usize);
    let mut collect = |chunk: &[PromoCode]| codes.extend(chunk.iter().map(|c| c.code.clone()));
    let batch = generate(ctx.store, ctx.bot, spec, &ctx.actor, ctx.now, rng, &mut collect).await?;
    let d = describe(ctx);
    let mut text = t!(ctx.texts, ctx.language, "promo-created", "count" => spec.count, "batch" => batch.id.as_str());
    text.push('\n');
    text.push_str(&d.summary(&batch.terms));
    if codes.len() <= LISTED {
        for code in &codes {
            text.push('\n');
            text.push_str(code);
        }
        return Ok(Reply::text(text));
    }
    text.push('\n');
    text.push_str(&t!(ctx.texts, ctx.language, "promo-created-attached", "batch" => batch.id.as_str()));
    let mut reply = Reply::text(text);
    reply.document = Some(csv_attachment(ctx, &batch.id).await?);
    Ok(reply)
}

async fn csv_attachment(ctx: &AdminContext<'_>, batch: &BatchId) -> Result<Attachment, GenerateError> {
    let mut bytes = Vec::new();
    write_csv(ctx.store, ctx.bot, ctx.texts, ctx.language, batch, ctx.now, &mut bytes)
        .await
        .map_err(|e| match e {
            ExportError::Store(store) => GenerateError::Store(store),
            ExportError::Write(write) => GenerateError::Store(StoreError::Backend(write.to_string())),
        })?;
    Ok(Attachment {
        file_name: format!("codes-{batch}.csv"),
        mime: "text/csv".into(),
        bytes,
        link: None,
    })
}

async fn export(ctx: &AdminContext<'_>, batch: &BatchId) -> Result<Reply, ExportError> {
    let mut bytes = Vec::new();
    let count = write_csv(ctx.store, ctx.bot, ctx.texts, ctx.language, batch, ctx.now, &mut bytes).await?;
    let mut reply =
        Reply::text(t!(ctx.texts, ctx.language, "promo-exported", "count" => count, "batch" => batch.as_str()));
    reply.document = Some(Attachment {
        file_name: format!("codes-{batch}.csv"),
        mime: "text/csv".into(),
        bytes,
        link: None,
    });
    Ok(reply)
}

/// One line per changed term: `CODE : remise -30 % (avant -20 %)`.
fn change_lines(ctx: &AdminContext<'_>, target: &str, before: &PromoTerms, after: &PromoTerms) -> Vec<String> {
    let d = describe(ctx);
    let fields: [(&str, String, String); 8] = [
        ("promo-field-discount", d.discount(before), d.discount(after)),
        ("promo-field-expires", d.expiry(before), d.expiry(after)),
        ("promo-field-starts", d.start(before), d.start(after)),
        ("promo-field-max", d.count(before.max_uses), d.count(after.max_uses)),
        (
            "promo-field-per-contact",
            d.count(before.per_contact),
            d.count(after.per_contact),
        ),
        ("promo-field-offers", d.ids(&before.offers), d.ids(&after.offers)),
        ("promo-field-courses", d.ids(&before.courses), d.ids(&after.courses)),
        ("promo-field-min", d.min(before), d.min(after)),
    ];
    fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| {
            let field = ctx.text(field, &[]);
            t!(ctx.texts, ctx.language, "promo-changed", "target" => target, "field" => field, "new" => new, "old" => old)
        })
        .collect()
}

/// The terms a change set touches.
fn touched(changes: &TermChanges) -> Vec<TermField> {
    [
        (changes.discount.is_some(), TermField::Discount),
        (changes.expires.is_some(), TermField::ExpiresAt),
        (changes.starts.is_some(), TermField::StartsAt),
        (changes.max_uses.is_some(), TermField::MaxUses),
        (changes.per_contact.is_some(), TermField::PerContact),
        (changes.offers.is_some(), TermField::Offers),
        (changes.courses.is_some(), TermField::Courses),
        (changes.min_amount.is_some(), TermField::MinAmount),
    ]
    .into_iter()
    .filter_map(|(set, field)| set.then_some(field))
    .collect()
}

async fn edit_code(ctx: &AdminContext<'_>, edit: &EditCode) -> Result<Reply, GenerateError> {
    let mut code = match ctx.store.get_promo_code(&ctx.bot.id, &edit.code).await {
        Ok(code) => code,
        Err(StoreError::NotFound) => {
            return Ok(Reply::text(
                t!(ctx.texts, ctx.language, "promo-error-unknown-code", "code" => edit.code.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if edit.switch == Some(Switch::Delete) {
        let text = if ctx.store.delete_promo_code(&ctx.bot.id, &code.key).await? {
            t!(ctx.texts, ctx.language, "promo-deleted", "code" => code.code.as_str())
        } else {
            t!(ctx.texts, ctx.language, "promo-delete-refused", "code" => code.code.as_str(), "uses" => code.uses)
        };
        return Ok(Reply::text(text));
    }
    check_ids(ctx.store, ctx.bot, &edit.terms).await?;
    let before = code.terms.clone();
    code.terms = apply_changes(&code.terms, &edit.terms, ctx.bot, ctx.now);
    code.overridden.extend(touched(&edit.terms));
    let mut lines = change_lines(ctx, &code.code, &before, &code.terms);
    if let Some(who) = &edit.assign {
        let id = resolve_contact(ctx.store, ctx.bot, who, ctx.now).await?;
        code.assigned_to = Some(id);
        lines.push(
            t!(ctx.texts, ctx.language, "promo-assigned", "code" => code.code.as_str(), "contact" => who.to_string()),
        );
    }
    match edit.switch {
        Some(Switch::Off) => {
            code.disabled = true;
            lines.push(t!(ctx.texts, ctx.language, "promo-switched-off", "code" => code.code.as_str()));
        }
        Some(Switch::On) => {
            code.disabled = false;
            lines.push(t!(ctx.texts, ctx.language, "promo-switched-on", "code" => code.code.as_str()));
        }
        _ => {}
    }
    ctx.store.update_promo_code(&code).await?;
    if lines.is_empty() {
        lines.push(t!(ctx.texts, ctx.language, "promo-unchanged", "code" => code.code.as_str()));
    }
    Ok(Reply::text(lines.join("\n")))
}

async fn edit_batch(ctx: &AdminContext<'_>, batch_id: &BatchId, changes: &TermChanges) -> Result<Reply, GenerateError> {
    let mut batch = ctx.store.get_promo_batch(&ctx.bot.id, batch_id).await?;
    check_ids(ctx.store, ctx.bot, changes).await?;
    let before = batch.terms.clone();
    batch.terms = apply_changes(&batch.terms, changes, ctx.bot, ctx.now);
    let fields = touched(changes);
    let (mut applied, mut kept) = (0u64, 0u64);
    let mut page = PageRequest::first(500);
    loop {
        let codes = ctx.store.list_promo_codes(&ctx.bot.id, batch_id, &page).await?;
        for mut code in codes.items {
            let own: Vec<TermField> = fields.iter().copied().filter(|f| code.overridden.contains(f)).collect();
            if own.len() == fields.len() {
                kept += 1;
                continue;
            }
            let saved = code.terms.clone();
            code.terms = apply_changes(&code.terms, changes, ctx.bot, ctx.now);
            restore(&mut code.terms, &saved, &own);
            ctx.store.update_promo_code(&code).await?;
            if own.is_empty() { applied += 1 } else { kept += 1 }
        }
        match codes.next {
            Some(next) => {
                page = PageRequest {
                    after: Some(next),
                    limit: 500,
                }
            }
            None => break,
        }
    }
    ctx.store.update_promo_batch(&batch).await?;
    let target = t!(ctx.texts, ctx.language, "promo-batch-name", "batch" => batch.id.as_str());
    let mut lines = change_lines(ctx, &target, &before, &batch.terms);
    lines.push(t!(ctx.texts, ctx.language, "promo-batch-applied", "applied" => applied, "kept" => kept));
    Ok(Reply::text(lines.join("\n")))
}

/// Puts back on a code the terms it overrides itself.
fn restore(terms: &mut PromoTerms, saved: &PromoTerms, fields: &[TermField]) {
    for field in fields {
        match field {
            TermField::Discount => terms.discount = saved.discount,
            TermField::StartsAt => terms.starts_at = saved.starts_at,
            TermField::ExpiresAt => terms.expires_at = saved.expires_at,
            TermField::MaxUses => terms.max_uses = saved.max_uses,
            TermField::PerContact => terms.per_contact = saved.per_contact,
            TermField::Offers => terms.offers = saved.offers.clone(),
            TermField::Courses => terms.courses = saved.courses.clone(),
            TermField::MinAmount => terms.min_amount = saved.min_amount,
        }
    }
}

async fn list_batches(ctx: &AdminContext<'_>) -> Result<Reply, GenerateError> {
    let batches = ctx.store.list_promo_batches(&ctx.bot.id).await?;
    if batches.is_empty() {
        return Ok(Reply::text(ctx.text("promo-no-batches", &[])));
    }
    let d = describe(ctx);
    let mut lines = vec![ctx.text("promo-batches-title", &[])];
    for batch in &batches {
        let usage = ctx.store.promo_batch_usage(&ctx.bot.id, &batch.id).await?;
        let mut line = t!(ctx.texts, ctx.language, "promo-batch-line",
            "batch" => batch.id.as_str(),
            "discount" => d.discount(&batch.terms),
            "expires" => d.expiry(&batch.terms),
            "used" => usage.used,
            "total" => usage.codes);
        if let Some(note) = &batch.note {
            line.push_str(&format!(" — {note}"));
        }
        lines.push(line);
    }
    Ok(Reply::text(lines.join("\n")))
}

async fn list_codes(ctx: &AdminContext<'_>, batch_id: &BatchId) -> Result<Reply, GenerateError> {
    let batch = ctx.store.get_promo_batch(&ctx.bot.id, batch_id).await?;
    let d = describe(ctx);
    let page = ctx
        .store
        .list_promo_codes(&ctx.bot.id, batch_id, &PageRequest::first(LISTED as u32))
        .await?;
    let mut lines = vec![
        t!(ctx.texts, ctx.language, "promo-codes-title", "batch" => batch.id.as_str(), "count" => batch.count),
        d.summary(&batch.terms),
    ];
    for code in &page.items {
        let status = match code.status(ctx.now) {
            crate::domain::promo::CodeStatus::Used | crate::domain::promo::CodeStatus::UsedUp => {
                t!(ctx.texts, ctx.language, "promo-status-uses", "uses" => code.uses, "max" => d.count(code.terms.max_uses))
            }
            other => d.status(other),
        };
        let mut line = format!("{} · {status}", code.code);
        if let Some(id) = &code.assigned_to {
            line.push_str(&format!(" · {}", contact_label(ctx.store, ctx.bot, id).await?));
        }
        lines.push(line);
    }
    if page.next.is_some() {
        let more = u64::from(batch.count).saturating_sub(page.items.len() as u64);
        lines.push(t!(ctx.texts, ctx.language, "promo-codes-more", "more" => more, "batch" => batch.id.as_str()));
    }
    Ok(Reply::text(lines.join("\n")))
}
