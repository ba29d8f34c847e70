//! A general min-cost-flow network with integer supplies, capacities and costs:
//! the input of the network simplex.

use crate::error::{Error, RecordKind, Result, ValidationError};

/// Largest capacity or absolute supply of a network arc or node.
pub const MAX_CAPACITY: i64 = 1 << 50;

/// A directed network: node supplies (positive = source, negative = demand,
/// summing to zero) and arcs with a capacity and a cost per unit of flow.
///
/// Arcs are stored as parallel arrays (structure of arrays) with `u32` node
/// ids, which keeps the solver's pricing loop cache-friendly.
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// let mut net = FlowNetwork::new(2);
/// net.supply[0] = 3;
/// net.supply[1] = -3;
/// let a = net.add_arc(0, 1, 5, 2);
/// assert_eq!((net.node_count(), net.arc_count(), a), (2, 1, 0));
/// assert!(net.check().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowNetwork {
    /// Supply of each node; sums to zero.
    pub supply: Vec<i64>,
    /// Tail of each arc.
    pub source: Vec<u32>,
    /// Head of each arc.
    pub target: Vec<u32>,
    /// Capacity of each arc (0 to [`MAX_CAPACITY`]).
    pub capacity: Vec<i64>,
    /// Cost per unit of flow on each arc.
    pub cost: Vec<i64>,
}

impl FlowNetwork {
    /// A network of `nodes` nodes with zero supplies and no arcs.
    pub fn new(nodes: usize) -> Self {
        FlowNetwork {
            supply: vec![0; nodes],
            ..Self::default()
        }
    }

    /// Adds an arc and returns its index.
    pub fn add_arc(&mut self, source: u32, target: u32, capacity: i64, cost: i64) -> u32 {
        let id = self.source.len() as u32;
        self.source.push(source);
        self.target.push(target);
        self.capacity.push(capacity);
        self.cost.push(cost);
        id
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.supply.len()
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.source.len()
    }

    /// The largest absolute arc cost (0 for a network without arcs).
    pub fn max_abs_cost(&self) -> i64 {
        self.cost
            .iter()
            .map(|c| c.saturating_abs())
            .max()
            .unwrap_or(0)
    }

    /// Checks that the network is well formed and small enough to solve exactly
    /// in `i64`: endpoints in range, capacities and supplies within
    /// [`MAX_CAPACITY`], supplies summing to zero, and (nodes + 1) × (largest
    /// cost + 1) at most `i64::MAX / 8`, which bounds every potential and
    /// reduced cost the simplex computes.
    ///
    /// ```
    /// use hubmatch::graph::FlowNetwork;
    /// let mut net = FlowNetwork::new(2);
    /// net.supply[0] = 1;
    /// let err = net.check().unwrap_err();
    /// assert_eq!(err.to_string(), r#"network "supply": total must be 0, got 1"#);
    /// ```
    pub fn check(&self) -> Result<()> {
        let bad = |record: String, field: &str, problem: String| -> Error {
            ValidationError::new(RecordKind::Network, record, field, problem).into()
        };
        let n = self.node_count();
        let m = self.arc_count();
        if self.target.len() != m || self.capacity.len() != m || self.cost.len() != m {
            return Err(bad(
                "arcs".into(),
                "length",
                "must be equal for source, target, capacity and cost".into(),
            ));
        }
        if n >= u32::MAX as usize / 2 || m >= u32::MAX as usize / 2 - n {
            return Err(bad(
                "network".into(),
                "size",
                format!("too large: {n} nodes, {m} arcs"),
            ));
        }
        let mut total: i128 = 0;
        for (v, &s) in self.supply.iter().enumerate() {
            if s.saturating_abs() > MAX_CAPACITY {
                return Err(bad(
                    format!("node {v}"),
                    "supply",
                    format!("must be within ±{MAX_CAPACITY}, got {s}"),
                ));
            }
            total += i128::from(s);
        }
        if total != 0 {
            return Err(bad(
                "supply".into(),
                "total",
                format!("must be 0, got {total}"),
            ));
        }
        for a in 0..m {
            let (s, t) = (self.source[a] as usize, self.target[a] as usize);
            if s >= n || t >= n {
                return Err(bad(
                    format!("arc {a}"),
                    "endpoints",
                    format!("({s}, {t}) must be nodes below {n}"),
                ));
            }
            if !(0..=MAX_CAPACITY).contains(&self.capacity[a]) {
                return Err(bad(
                    format!("arc {a}"),
                    "capacity",
                    format!(
                        "must be within 0..={MAX_CAPACITY}, got {}",
                        self.capacity[a]
                    ),
                ));
            }
        }
        let bound = (n as i128 + 1) * (i128::from(self.max_abs_cost()) + 1);
        if bound > i128::from(i64::MAX / 8) {
            return Err(Error::Overflow(format!(
                "{n} nodes with costs up to {} cannot be solved exactly in 64-bit integers",
                self.max_abs_cost()
            )));
        }
        Ok(())
    }
}
