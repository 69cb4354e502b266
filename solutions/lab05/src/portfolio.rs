//! The portfolio and the options book: types (given) and their CSV parsers (yours).
//!
//! Both parsers take the file's name (used in every error) and its text, so that tests can
//! call them without files. Each error is an [`EngineError::Input`] naming the file, the line
//! (from 1; the header is line 1) and the field.

use finance::bs::{BarrierKind, OptionKind};

use crate::error::EngineError;

/// Weights must sum to 1 within this tolerance unless `--normalize` is given.
pub const WEIGHT_TOLERANCE: f64 = 1e-6;

/// Fixings of an Asian option: monthly over its life (the book has no column for it).
pub const ASIAN_FIXINGS: usize = 12;

/// How a position is sized.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Size {
    /// A fraction of the portfolio's value (the file's column is `weight`).
    Weight(f64),
    /// A number of shares (the file's column is `quantity`).
    Quantity(f64),
}

/// One line of the portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    /// The ticker, e.g. `AST003`.
    pub ticker: String,
    /// Its size.
    pub size: Size,
    /// The line of the file it came from, to name it in later errors (unknown ticker).
    pub line: usize,
}

/// A parsed portfolio: positions in file order, all weights or all quantities.
#[derive(Clone, Debug, PartialEq)]
pub struct Portfolio {
    /// The file it was read from, as given.
    pub file: String,
    /// The positions, in file order; tickers are distinct.
    pub positions: Vec<Position>,
}

impl Portfolio {
    /// The weights of the positions (summing to 1) and the portfolio's value, given each
    /// position's last price. A weight portfolio is worth `notional`; a quantity portfolio
    /// is worth `Σ quantity × last price` and its weights are each position's share.
    ///
    /// # Errors
    /// [`EngineError::Input`] on the first position if a quantity portfolio is worth 0.
    pub fn weights(
        &self,
        last_prices: &[f64],
        notional: f64,
    ) -> Result<(Vec<f64>, f64), EngineError> {
        let values: Vec<f64> = self
            .positions
            .iter()
            .zip(last_prices)
            .map(|(p, &price)| match p.size {
                Size::Weight(w) => w * notional,
                Size::Quantity(q) => q * price,
            })
            .collect();
        let total: f64 = values.iter().sum();
        if total == 0.0 || !total.is_finite() {
            let field = match self.positions.first().map(|p| p.size) {
                Some(Size::Weight(_)) => "weight",
                _ => "quantity",
            };
            return Err(EngineError::input(
                &self.file,
                self.positions.first().map_or(1, |p| p.line),
                field,
                "the portfolio is worth nothing at the last prices",
            ));
        }
        Ok((values.iter().map(|v| v / total).collect(), total))
    }
}

/// The payoff style of an option.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// European: priced in closed form (Black-Scholes-Merton).
    European,
    /// Arithmetic-average Asian with [`ASIAN_FIXINGS`] fixings: no closed form, priced by
    /// parallel Monte Carlo.
    Asian,
    /// Continuously monitored barrier: priced in closed form (Reiner-Rubinstein).
    Barrier {
        /// Which barrier.
        kind: BarrierKind,
        /// Barrier level.
        level: f64,
        /// Cash rebate.
        rebate: f64,
    },
}

/// One line of the options book.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionPosition {
    /// The underlying's ticker.
    pub ticker: String,
    /// Call or put.
    pub kind: OptionKind,
    /// Strike.
    pub strike: f64,
    /// Time to expiry, years.
    pub expiry: f64,
    /// Number of options held (negative: written).
    pub quantity: f64,
    /// Payoff style.
    pub style: Style,
    /// The line of the file it came from.
    pub line: usize,
}

/// The header of an options book file.
pub const BOOK_HEADER: &str =
    "ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate";

// BEGIN SOLUTION
/// Lines of a CSV text with their numbers (from 1), blank lines skipped, fields trimmed.
fn records(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(n, l)| (n, l.split(',').map(str::trim).collect()))
}

/// A finite number from field `field` of `file:line`.
fn number(file: &str, line: usize, field: &str, text: &str) -> Result<f64, EngineError> {
    if text.is_empty() {
        return Err(EngineError::input(file, line, field, "missing"));
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) => Err(EngineError::input(
            file,
            line,
            field,
            format!("{x} is not finite"),
        )),
        Err(_) => Err(EngineError::input(
            file,
            line,
            field,
            format!("{text:?} is not a number"),
        )),
    }
}

/// A ticker: non-empty, letters, digits, `.`, `_` or `-` only (it becomes a file name and a URL).
fn ticker(file: &str, line: usize, text: &str) -> Result<String, EngineError> {
    let ok = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(text.to_string())
    } else {
        Err(EngineError::input(
            file,
            line,
            "ticker",
            format!("{text:?} is not a valid ticker"),
        ))
    }
}

// END SOLUTION
/// Parses a portfolio CSV.
///
/// Format: a header `ticker,weight` or `ticker,quantity`, then one `TICKER,number` line per
/// position. Blank lines, whitespace around fields and a UTF-8 byte-order mark are
/// tolerated. Rules, each violation an error naming `file`, the line and the field:
/// an empty file (no header: line 1, field `header`) or a file with no position (the
/// header's line, field `header`); a bad header; a line without exactly two fields (with
/// one field, the error names the missing size field, `weight` or `quantity`; with three or
/// more, the field `line`); an invalid ticker (empty, or other than letters, digits, `.`,
/// `_`, `-`); a ticker listed twice; a number that does not parse or is not finite. For a
/// weight portfolio, weights must sum to 1 within [`WEIGHT_TOLERANCE`]: otherwise an error
/// on the header's `weight` field giving the sum, unless `normalize` is true, in which case
/// each weight is divided by the sum (a zero sum is still an error).
pub fn parse_portfolio(file: &str, text: &str, normalize: bool) -> Result<Portfolio, EngineError> {
    // BEGIN SOLUTION
    let mut lines = records(text);
    let Some((header_line, header)) = lines.next() else {
        return Err(EngineError::input(file, 1, "header", "the file is empty"));
    };
    let by_weight = match header.as_slice() {
        ["ticker", "weight"] => true,
        ["ticker", "quantity"] => false,
        _ => {
            return Err(EngineError::input(
                file,
                header_line,
                "header",
                format!(
                    "expected `ticker,weight` or `ticker,quantity`, found {:?}",
                    header.join(",")
                ),
            ));
        }
    };
    let field = if by_weight { "weight" } else { "quantity" };
    let mut positions: Vec<Position> = Vec::new();
    for (line, fields) in lines {
        let [t, x] = fields.as_slice() else {
            let which = if fields.len() < 2 { field } else { "line" };
            return Err(EngineError::input(
                file,
                line,
                which,
                format!("expected 2 fields `ticker,{field}`, found {}", fields.len()),
            ));
        };
        let t = ticker(file, line, t)?;
        if let Some(first) = positions.iter().find(|p| p.ticker == t) {
            return Err(EngineError::input(
                file,
                line,
                "ticker",
                format!("{t} is listed twice (first on line {})", first.line),
            ));
        }
        let x = number(file, line, field, x)?;
        let size = if by_weight {
            Size::Weight(x)
        } else {
            Size::Quantity(x)
        };
        positions.push(Position {
            ticker: t,
            size,
            line,
        });
    }
    if positions.is_empty() {
        return Err(EngineError::input(
            file,
            header_line,
            "header",
            "the portfolio has no positions",
        ));
    }
    if by_weight {
        let sum: f64 = positions
            .iter()
            .map(|p| match p.size {
                Size::Weight(w) | Size::Quantity(w) => w,
            })
            .sum();
        if normalize {
            if sum == 0.0 {
                return Err(EngineError::input(
                    file,
                    header_line,
                    "weight",
                    "the weights sum to 0: cannot normalize",
                ));
            }
            for p in &mut positions {
                if let Size::Weight(w) = p.size {
                    p.size = Size::Weight(w / sum);
                }
            }
        } else if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
            return Err(EngineError::input(
                file,
                header_line,
                "weight",
                format!("the weights sum to {sum}, not 1 (pass --normalize to rescale them)"),
            ));
        }
    }
    Ok(Portfolio {
        file: file.to_string(),
        positions,
    })
    // STUB
    // let _ = (file, text, normalize);
    // todo!(
    //     "parse_portfolio: read the header, then each line: ticker, number; name the file, line and field in every error"
    // )
    // END SOLUTION
}

/// Parses an options book CSV.
///
/// Format: the header [`BOOK_HEADER`], then one option per line. `kind` is `call` or `put`;
/// `strike` and `expiry` (years) are positive; `quantity` is any finite number; `style` is
/// `european`, `asian` or `barrier`. A barrier option needs `barrier_kind` (`down-out`,
/// `down-in`, `up-out`, `up-in`), a positive `barrier_level` and a `rebate` (≥ 0, blank
/// means 0); for the other styles the three barrier fields are empty or absent (a line may
/// stop after `style`). Keywords are case-insensitive. Every violation (bad header, wrong
/// number of fields, invalid ticker, bad keyword or number) is an error naming `file`, the
/// line and the field. A line has either 6 fields (it stops after `style`) or all 9: any
/// other count is an error on the field `line`. An empty file is an error on line 1, field
/// `header`; a header with no option is an empty book.
pub fn parse_book(file: &str, text: &str) -> Result<Vec<OptionPosition>, EngineError> {
    // BEGIN SOLUTION
    let mut lines = records(text);
    let Some((header_line, header)) = lines.next() else {
        return Err(EngineError::input(file, 1, "header", "the file is empty"));
    };
    if header.join(",") != BOOK_HEADER {
        return Err(EngineError::input(
            file,
            header_line,
            "header",
            format!("expected `{BOOK_HEADER}`, found {:?}", header.join(",")),
        ));
    }
    let mut book = Vec::new();
    for (line, fields) in lines {
        if fields.len() != 6 && fields.len() != 9 {
            return Err(EngineError::input(
                file,
                line,
                "line",
                format!("expected 6 or 9 fields, found {}", fields.len()),
            ));
        }
        let get = |i: usize| fields.get(i).copied().unwrap_or("");
        let t = ticker(file, line, get(0))?;
        let kind = match get(1).to_ascii_lowercase().as_str() {
            "call" => OptionKind::Call,
            "put" => OptionKind::Put,
            other => {
                return Err(EngineError::input(
                    file,
                    line,
                    "kind",
                    format!("{other:?} is not `call` or `put`"),
                ));
            }
        };
        let positive = |field: &str, i: usize| -> Result<f64, EngineError> {
            let x = number(file, line, field, get(i))?;
            if x > 0.0 {
                Ok(x)
            } else {
                Err(EngineError::input(
                    file,
                    line,
                    field,
                    format!("{x} is not positive"),
                ))
            }
        };
        let strike = positive("strike", 2)?;
        let expiry = positive("expiry", 3)?;
        let quantity = number(file, line, "quantity", get(4))?;
        let style = match get(5).to_ascii_lowercase().as_str() {
            "european" => Style::European,
            "asian" => Style::Asian,
            "barrier" => {
                let kind = match get(6).to_ascii_lowercase().as_str() {
                    "down-out" => BarrierKind::DownOut,
                    "down-in" => BarrierKind::DownIn,
                    "up-out" => BarrierKind::UpOut,
                    "up-in" => BarrierKind::UpIn,
                    other => {
                        return Err(EngineError::input(
                            file,
                            line,
                            "barrier_kind",
                            format!("{other:?} is not down-out, down-in, up-out or up-in"),
                        ));
                    }
                };
                let level = positive("barrier_level", 7)?;
                let rebate = if get(8).is_empty() {
                    0.0
                } else {
                    number(file, line, "rebate", get(8))?
                };
                if rebate < 0.0 {
                    return Err(EngineError::input(
                        file,
                        line,
                        "rebate",
                        format!("{rebate} is negative"),
                    ));
                }
                Style::Barrier {
                    kind,
                    level,
                    rebate,
                }
            }
            other => {
                return Err(EngineError::input(
                    file,
                    line,
                    "style",
                    format!("{other:?} is not european, asian or barrier"),
                ));
            }
        };
        if !matches!(style, Style::Barrier { .. }) {
            for (i, name) in [(6, "barrier_kind"), (7, "barrier_level"), (8, "rebate")] {
                if !get(i).is_empty() {
                    return Err(EngineError::input(
                        file,
                        line,
                        name,
                        "only a barrier option has barrier fields",
                    ));
                }
            }
        }
        book.push(OptionPosition {
            ticker: t,
            kind,
            strike,
            expiry,
            quantity,
            style,
            line,
        });
    }
    Ok(book)
    // STUB
    // let _ = (file, text);
    // todo!(
    //     "parse_book: check the header against BOOK_HEADER, then parse each field of each line; barrier fields only for barrier options"
    // )
    // END SOLUTION
}
