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
    let _ = (file, text, normalize);
    todo!(
        "parse_portfolio: read the header, then each line: ticker, number; name the file, line and field in every error"
    )
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
    let _ = (file, text);
    todo!(
        "parse_book: check the header against BOOK_HEADER, then parse each field of each line; barrier fields only for barrier options"
    )
}
