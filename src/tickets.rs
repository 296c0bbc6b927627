//! Ticket images: a PNG with the QR code of the ticket token, the course, the date and time in the
//! bot's zone, the visitor's first name and the studio's name; and reading a token back from a
//! picture (a screenshot, or a phone photo of a screen or of paper).

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{GrayImage, ImageEncoder, Luma};
use qrcode::{Color, EcLevel};

const REGULAR: &[u8] = include_bytes!("../web/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../web/fonts/DejaVuSans-Bold.ttf");

/// Width of a ticket image, in pixels.
pub const WIDTH: u32 = 400;
/// Height of a ticket image, in pixels.
pub const HEIGHT: u32 = 600;
/// Pixels per QR module.
const MODULE: u32 = 8;

/// What a ticket shows besides its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    /// The studio.
    pub studio: String,
    /// The course.
    pub course: String,
    /// Date and time, already written in the bot's zone and language.
    pub when: String,
    /// The visitor's first name.
    pub first_name: String,
}

fn fonts() -> &'static (FontRef<'static>, FontRef<'static>) {
    static FONTS: std::sync::OnceLock<(FontRef<'static>, FontRef<'static>)> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| {
        let regular = FontRef::try_from_slice(REGULAR).expect("the bundled DejaVu Sans is a valid font");
        let bold = FontRef::try_from_slice(BOLD).expect("the bundled DejaVu Sans Bold is a valid font");
        (regular, bold)
    })
}

/// The QR modules of a token (width, then colours row by row), medium error correction. The mask
/// is fixed rather than chosen by scoring all eight: scoring is a third of a ticket's render time,
/// and any mask reads; the decoding tests (photos included) hold it to that.
fn qr_modules(token: &str) -> (usize, Vec<Color>) {
    let bits = qrcode::bits::encode_auto(token.as_bytes(), EcLevel::M).expect("a ticket token fits in a QR code");
    let version = bits.version();
    let data = bits.into_bytes();
    let (encoded, ec) =
        qrcode::ec::construct_codewords(&data, version, EcLevel::M).expect("codewords of a valid version");
    let mut canvas = qrcode::canvas::Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    canvas.apply_mask(qrcode::canvas::MaskPattern::Checkerboard);
    (version.width() as usize, canvas.into_colors())
}

/// Width in pixels of `text` at `size`.
fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    text.chars().map(|c| scaled.h_advance(font.glyph_id(c))).sum()
}

/// Draws `text` centred on `centre_x`, with its baseline at `baseline`, shrinking it to fit.
fn draw_centred(
    img: &mut GrayImage,
    font: &FontRef<'_>,
    mut size: f32,
    centre_x: f32,
    baseline: f32,
    text: &str,
    ink: u8,
) {
    let room = img.width() as f32 - 32.0;
    while size > 10.0 && text_width(font, size, text) > room {
        size -= 1.0;
    }
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let mut x = centre_x - text_width(font, size, text) / 2.0;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, point(x, baseline));
        x += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let (px, py) = (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
            if px < 0 || py < 0 || px >= i64::from(img.width()) || py >= i64::from(img.height()) {
                return;
            }
            let pixel = img.get_pixel_mut(px as u32, py as u32);
            let blended = f32::from(pixel.0[0]) * (1.0 - coverage) + f32::from(ink) * coverage;
            pixel.0[0] = blended.round() as u8;
        });
    }
}

/// The ticket as a grayscale PNG.
pub fn render_png(token: &str, facts: &TicketFacts) -> Vec<u8> {
    let (regular, bold) = fonts();
    let mut img = GrayImage::from_pixel(WIDTH, HEIGHT, Luma([255]));
    img.as_mut()[..(64 * WIDTH) as usize].fill(40);
    let centre = WIDTH as f32 / 2.0;
    draw_centred(&mut img, bold, 30.0, centre, 44.0, &facts.studio, 255);

    let (modules, colors) = qr_modules(token);
    let modules = modules as u32;
    let side = modules * MODULE;
    let (left, top) = ((WIDTH - side.min(WIDTH)) / 2, 88);
    for (i, color) in colors.into_iter().enumerate() {
        if color != Color::Dark {
            continue;
        }
        let (x, y) = (
            left + (i as u32 % modules) * MODULE,
            top + (i as u32 / modules) * MODULE,
        );
        let (width, raw) = (WIDTH as usize, img.as_mut());
        for row in y..(y + MODULE).min(HEIGHT) {
            let start = row as usize * width + x as usize;
            raw[start..start + (MODULE.min(WIDTH - x)) as usize].fill(0);
        }
    }
    let below = (top + side) as f32;
    draw_centred(&mut img, bold, 30.0, centre, below + 62.0, &facts.course, 0);
    draw_centred(&mut img, regular, 23.0, centre, below + 102.0, &facts.when, 40);
    draw_centred(&mut img, regular, 23.0, centre, below + 142.0, &facts.first_name, 40);

    let mut png = Vec::with_capacity(32 * 1024);
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(img.as_raw(), WIDTH, HEIGHT, image::ExtendedColorType::L8)
    .expect("encoding a PNG into memory cannot fail");
    png
}

/// Longest side a picture is brought down to before looking for a code (phone photos are large;
/// a QR filling a fair part of the frame stays readable at this size).
const DECODE_SIDE: u32 = 1000;

/// The text of the first QR code found in a picture (PNG or JPEG), if any.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let picture = image::load_from_memory(bytes).ok()?;
    let mut gray = picture.to_luma8();
    if gray.width().max(gray.height()) > DECODE_SIDE {
        gray = image::imageops::thumbnail(
            &gray,
            gray.width() * DECODE_SIDE / gray.width().max(gray.height()),
            gray.height() * DECODE_SIDE / gray.width().max(gray.height()),
        );
    }
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbImage};

    fn facts() -> TicketFacts {
        TicketFacts {
            studio: "Studio Lumière".into(),
            course: "Yoga doux".into(),
            when: "mardi 1 décembre · 18:30".into(),
            first_name: "Marie".into(),
        }
    }

    const TOKEN: &str = "demo.MDE5MmY1ZTFjOWE4N2IzZThlMmY2ZDRjMWIwYTlmODeTJ5Gx3k2vQ9W1bM0sL7cA";

    #[test]
    fn a_rendered_ticket_decodes_back_to_its_token() {
        let png = render_png(TOKEN, &facts());
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(decode(&png).as_deref(), Some(TOKEN));
    }

    /// A phone photo of the ticket: larger, turned a few degrees, on a grey background, noisy and
    /// JPEG-compressed.
    fn photo_of(png: &[u8], degrees: f32) -> Vec<u8> {
        let ticket = image::load_from_memory(png).unwrap().to_luma8();
        let (w, h) = (1200u32, 1600u32);
        let scale = 2.2f32;
        let (sin, cos) = degrees.to_radians().sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let (tw, th) = (ticket.width() as f32, ticket.height() as f32);
        let mut seed = 12345u32;
        let photo = RgbImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let (u, v) = (
                (dx * cos + dy * sin) / scale + tw / 2.0,
                (-dx * sin + dy * cos) / scale + th / 2.0,
            );
            let base = if u >= 0.0 && v >= 0.0 && u < tw - 1.0 && v < th - 1.0 {
                f32::from(ticket.get_pixel(u as u32, v as u32).0[0]) * 0.85 + 20.0
            } else {
                110.0
            };
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = ((seed >> 16) % 41) as f32 - 20.0;
            let value = (base + noise).clamp(0.0, 255.0) as u8;
            image::Rgb([value, value.saturating_sub(6), value.saturating_sub(12)])
        });
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(photo)
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70))
            .unwrap();
        jpeg
    }

    #[test]
    fn a_photo_like_picture_of_a_ticket_still_decodes() {
        let png = render_png(TOKEN, &facts());
        for degrees in [-4.0, 0.0, 3.0] {
            let jpeg = photo_of(&png, degrees);
            assert_eq!(decode(&jpeg).as_deref(), Some(TOKEN), "rotated {degrees}°");
        }
    }

    #[test]
    fn a_picture_without_a_code_gives_nothing() {
        let mut blank = Vec::new();
        DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 300, Luma([200])))
            .write_to(&mut std::io::Cursor::new(&mut blank), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(decode(&blank), None);
        assert_eq!(decode(b"not an image"), None);
    }
}

/// Each bot's ticket signing key: the secret its bot file names, or, when that variable is not
/// set, a random key for this process only (tickets then stop verifying after a restart, which is
/// said in the log once).
#[derive(Clone, Default)]
pub struct TicketKeys {
    keys: std::collections::HashMap<crate::domain::BotId, Vec<u8>>,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKeys")
            .field("bots", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TicketKeys {
    /// The keys of every bot.
    pub fn for_bots(bots: &crate::config::bots::Bots, rng: &mut dyn rand::RngCore) -> Self {
        use secrecy::ExposeSecret;
        let keys = bots
            .iter()
            .map(|bot| {
                let key = match &bot.ticket_key {
                    Some(secret) => secret.expose_secret().as_bytes().to_vec(),
                    None => {
                        tracing::warn!(bot = %bot.id, "no ticket signing key set: using a random key until the next restart");
                        let mut key = vec![0u8; 32];
                        rng.fill_bytes(&mut key);
                        key
                    }
                };
                (bot.id.clone(), key)
            })
            .collect();
        Self { keys }
    }

    /// The key of a bot (empty for a bot this process does not host, which verifies nothing).
    pub fn get(&self, bot: &crate::domain::BotId) -> &[u8] {
        self.keys.get(bot).map_or(&[], Vec::as_slice)
    }
}
