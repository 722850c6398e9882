//! Escaping and number formatting for the HTML report.

/// `s` with `& < > " '` replaced by character references, safe both as element text and
/// inside a quoted attribute value.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `v` with `decimals` decimals and thousands separators; `-` when undefined.
/// A value that rounds to zero is shown without a minus sign.
pub fn number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let text = format!("{:.decimals$}", v.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if v < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (k, digit) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A right-aligned table cell for `v` (empty when `None`), red when negative, carrying
/// the exact value in `data-v` for sorting.
pub fn num_cell(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let text = number(v, decimals);
            let class = if text.starts_with('-') { "num neg" } else { "num" };
            format!("<td class=\"{class}\" data-v=\"{v}\">{text}</td>")
        }
        _ => "<td class=\"num\" data-v=\"\"></td>".to_string(),
    }
}

/// A right-aligned cell for an already formatted value (as in the statistics table),
/// red when it is a negative number.
pub fn text_num_cell(text: &str) -> String {
    let negative = text.starts_with('-') && text[1..].starts_with(|c: char| c.is_ascii_digit());
    let class = if negative { "num neg" } else { "num" };
    format!("<td class=\"{class}\">{}</td>", escape_html(text))
}

/// A timestamp without a midnight time part: `2004-08-19` for `2004-08-19 00:00:00`.
pub fn short_time(t: &str) -> &str {
    t.strip_suffix(" 00:00:00").unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn numbers_are_grouped_and_signed() {
        assert_eq!(number(1234567.891, 2), "1,234,567.89");
        assert_eq!(number(-1234.5, 1), "-1,234.5");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(f64::NAN, 2), "-");
        assert_eq!(num_cell(Some(-2.5), 2), "<td class=\"num neg\" data-v=\"-2.5\">-2.50</td>");
        assert_eq!(num_cell(None, 2), "<td class=\"num\" data-v=\"\"></td>");
        assert_eq!(text_num_cell("-"), "<td class=\"num\">-</td>");
        assert_eq!(text_num_cell("-3.1"), "<td class=\"num neg\">-3.1</td>");
    }
}
