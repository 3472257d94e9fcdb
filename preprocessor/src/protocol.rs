//! The cell protocol, preprocessor side: reads the messages a chapter program appended to its
//! channel file and splits the program's stdout file at their offsets into per-cell output.
//!
//! A message is `<offset> <kind> <length>:<payload>\n` (`descent::cell` and the generated
//! program write it; `offset` is stdout's byte position when it was sent). Nothing printed on
//! stdout can forge one: stdout and the channel are different files. Kinds this side does not
//! know are kept in [`Finished::other`], so the protocol can grow.
//!
//! Each cell shows at most `limit` bytes of text; the rest stays in the stdout file, which the
//! caller keeps, and a [`Segment::Cut`] says how much was left out and where it is.

use crate::run::{CellOutput, Finished, Segment};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// One message on the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// stdout's byte position when it was sent.
    pub offset: u64,
    /// What it says (`cell`, `figure`, `device`, `error`, `end`, ...).
    pub kind: String,
    /// Its text.
    pub payload: String,
}

/// Parses the channel's records, stopping at the first malformed one (a program killed while
/// writing leaves at most one, at the end).
pub fn parse(channel: &[u8]) -> Vec<Message> {
    let mut messages = Vec::new();
    let mut rest = channel;
    while !rest.is_empty() {
        let Some(message) = parse_one(&mut rest) else {
            break;
        };
        messages.push(message);
    }
    messages
}

fn parse_one(rest: &mut &[u8]) -> Option<Message> {
    let colon = rest.iter().position(|&b| b == b':')?;
    let head = std::str::from_utf8(&rest[..colon]).ok()?;
    let mut words = head.split(' ');
    let offset: u64 = words.next()?.parse().ok()?;
    let kind = words.next()?.to_owned();
    let length: usize = words.next()?.parse().ok()?;
    if words.next().is_some() || kind.is_empty() {
        return None;
    }
    let body = rest.get(colon + 1..colon + 1 + length)?;
    if rest.get(colon + 1 + length) != Some(&b'\n') {
        return None;
    }
    let payload = String::from_utf8_lossy(body).into_owned();
    *rest = &rest[colon + 2 + length..];
    Some(Message {
        offset,
        kind,
        payload,
    })
}

/// Splits `stdout` (a file) into `cells` cells at the messages in `channel`, reading figures
/// from `figure_dir` and showing at most `limit` bytes of text per cell; `kept_at` is where
/// the whole stdout will be, for the note on a cut cell.
///
/// # Errors
/// The stdout file cannot be read.
pub fn split(
    stdout: &Path,
    channel: &[u8],
    cells: usize,
    figure_dir: &Path,
    limit: u64,
    kept_at: &str,
) -> std::io::Result<Finished> {
    let mut file = std::fs::File::open(stdout)?;
    let length = file.metadata()?.len();
    let mut finished = Finished::empty(cells);
    let mut shown = vec![0u64; finished.cells.len()];
    let mut total = vec![0u64; finished.cells.len()];
    let mut position = 0u64;
    let mut current = 0usize;
    let mut text = |file: &mut std::fs::File,
                    finished: &mut Finished,
                    current: usize,
                    from: u64,
                    to: u64|
     -> std::io::Result<()> {
        if to <= from {
            return Ok(());
        }
        total[current] += to - from;
        let room = limit.saturating_sub(shown[current]);
        let take = room.min(to - from);
        if take > 0 {
            file.seek(SeekFrom::Start(from))?;
            let mut bytes = Vec::with_capacity(take as usize);
            file.by_ref().take(take).read_to_end(&mut bytes)?;
            shown[current] += take;
            push_text(
                &mut finished.cells[current],
                &text_of(&bytes, take < to - from),
            );
        }
        Ok(())
    };
    for message in parse(channel) {
        let at = message.offset.clamp(position, length);
        text(&mut file, &mut finished, current, position, at)?;
        position = at;
        match message.kind.as_str() {
            "cell" => {
                if let Ok(k) = message.payload.parse::<usize>()
                    && k < finished.cells.len()
                {
                    current = k;
                }
            }
            "figure" => {
                let name = message.payload;
                let valid = !name.is_empty() && !name.contains(['/', '\\']) && name != "..";
                match std::fs::read_to_string(figure_dir.join(&name)) {
                    Ok(svg) if valid => finished.cells[current].push(Segment::Figure(svg)),
                    _ => finished.missing_figure = Some(name),
                }
            }
            "device" => finished.device = Some(message.payload),
            "error" => finished.returned_error = Some(message.payload),
            "end" => finished.reached_end = true,
            _ => finished.other.push((message.kind, message.payload)),
        }
    }
    text(&mut file, &mut finished, current, position, length)?;
    for (k, output) in finished.cells.iter_mut().enumerate() {
        if total[k] > shown[k] {
            output.push(Segment::Cut {
                shown: shown[k],
                total: total[k],
                file: kept_at.to_owned(),
            });
        }
    }
    finished.cells.truncate(cells);
    finished.last_cell = current;
    Ok(finished)
}

/// `bytes` as text; when `cut`, a character split at the end is dropped.
fn text_of(bytes: &[u8], cut: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) if cut && e.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn push_text(output: &mut CellOutput, text: &str) {
    if let Some(Segment::Text(last)) = output.last_mut() {
        last.push_str(text);
    } else {
        output.push(Segment::Text(text.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: u64, kind: &str, payload: &str) -> String {
        format!("{offset} {kind} {}:{payload}\n", payload.len())
    }

    fn split_text(stdout: &str, channel: &str, cells: usize, limit: u64) -> Finished {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stdout");
        std::fs::write(&out, stdout).unwrap();
        split(
            &out,
            channel.as_bytes(),
            cells,
            dir.path(),
            limit,
            "kept.txt",
        )
        .unwrap()
    }

    #[test]
    fn records_round_trip_with_newlines_and_colons_in_the_payload() {
        let channel = record(3, "device", "a: b\nc") + &record(9, "end", "");
        let messages = parse(channel.as_bytes());
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].payload, "a: b\nc");
        assert_eq!((messages[1].offset, messages[1].kind.as_str()), (9, "end"));
    }

    #[test]
    fn a_record_cut_short_ends_the_messages() {
        let channel = record(0, "cell", "0") + "5 end 3:ab";
        assert_eq!(parse(channel.as_bytes()).len(), 1);
    }

    #[test]
    fn output_is_split_per_cell_at_the_offsets() {
        let stdout = "a\nb\nc";
        let channel = record(0, "cell", "0")
            + &record(4, "cell", "1")
            + &record(5, "cell", "2")
            + &record(5, "device", "CPU")
            + &record(5, "end", "")
            + &record(5, "check", "x=1");
        let f = split_text(stdout, &channel, 3, 1 << 20);
        assert_eq!(f.cells[0], vec![Segment::Text("a\nb\n".into())]);
        assert_eq!(f.cells[1], vec![Segment::Text("c".into())]);
        assert!(f.cells[2].is_empty());
        assert_eq!(f.device.as_deref(), Some("CPU"));
        assert!(f.reached_end);
        assert_eq!(f.last_cell, 2);
        assert_eq!(f.other, vec![("check".to_owned(), "x=1".to_owned())]);
    }

    #[test]
    fn marker_text_on_stdout_is_only_text() {
        let stdout = "\u{1e}descent:cell:1\n\u{1e}descent:end\n";
        let f = split_text(stdout, &record(0, "cell", "0"), 2, 1 << 20);
        assert_eq!(f.cells[0], vec![Segment::Text(stdout.into())]);
        assert!(!f.reached_end);
    }

    #[test]
    fn text_past_the_limit_is_cut_with_a_note() {
        let stdout = "é".repeat(10);
        let f = split_text(&stdout, &record(0, "cell", "0"), 1, 5);
        assert_eq!(
            f.cells[0],
            vec![
                Segment::Text("éé".into()),
                Segment::Cut {
                    shown: 5,
                    total: 20,
                    file: "kept.txt".into()
                }
            ]
        );
    }

    #[test]
    fn figures_are_read_in_order_and_cannot_escape_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.svg"), "<svg/>").unwrap();
        let out = dir.path().join("stdout");
        std::fs::write(&out, "before\nafter\n").unwrap();
        let channel = record(0, "cell", "0") + &record(7, "figure", "f.svg");
        let f = split(&out, channel.as_bytes(), 1, dir.path(), 99, "k").unwrap();
        assert_eq!(
            f.cells[0],
            vec![
                Segment::Text("before\n".into()),
                Segment::Figure("<svg/>".into()),
                Segment::Text("after\n".into())
            ]
        );
        let channel = record(0, "figure", "../x");
        let f = split(&out, channel.as_bytes(), 1, dir.path(), 99, "k").unwrap();
        assert_eq!(f.missing_figure.as_deref(), Some("../x"));
    }
}
