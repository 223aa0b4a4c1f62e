//! Walking a [`Dag`] in dependency order as work completes: a node is ready
//! once everything it depends on is released; a failed node blocks
//! everything downstream of it. Generic over node ids, like the graph.

use std::collections::{BTreeMap, BTreeSet};

use super::Dag;

/// The progress of a walk over `graph`: which nodes are ready, still
/// waiting for dependencies, or blocked by a failure upstream.
pub struct Walk<'g, N: Ord + Clone> {
    graph: &'g Dag<N>,
    /// Dependencies not yet released, per node.
    waiting: BTreeMap<N, usize>,
    ready: BTreeSet<N>,
    blocked: BTreeSet<N>,
}

impl<'g, N: Ord + Clone> Walk<'g, N> {
    /// A walk where the nodes without dependencies are ready.
    pub fn new(graph: &'g Dag<N>) -> Self {
        let waiting: BTreeMap<N, usize> = graph
            .nodes()
            .map(|n| (n.clone(), graph.dependencies(n).len()))
            .collect();
        let ready = waiting
            .iter()
            .filter(|(_, w)| **w == 0)
            .map(|(n, _)| n.clone())
            .collect();
        Walk {
            graph,
            waiting,
            ready,
            blocked: BTreeSet::new(),
        }
    }

    /// Takes the first ready node, in the nodes' order.
    pub fn next_ready(&mut self) -> Option<N> {
        self.ready.pop_first()
    }

    /// `n` is done (or may be treated as done): its dependents wait for
    /// one dependency less, and those waiting for none become ready
    /// unless blocked.
    pub fn release(&mut self, n: &N) {
        for d in self.graph.dependents(n) {
            if let Some(w) = self.waiting.get_mut(d) {
                *w = w.saturating_sub(1);
                if *w == 0 && !self.blocked.contains(d) {
                    self.ready.insert(d.clone());
                }
            }
        }
    }

    /// `n` failed: blocks everything that depends on it, directly or not.
    /// Returns the nodes newly blocked, each after the one that blocked it.
    pub fn block_dependents(&mut self, n: &N) -> Vec<N> {
        let mut newly = Vec::new();
        let mut stack: Vec<N> = self.graph.dependents(n).into_iter().cloned().collect();
        while let Some(s) = stack.pop() {
            if self.blocked.insert(s.clone()) {
                stack.extend(self.graph.dependents(&s).into_iter().cloned());
                newly.push(s);
            }
        }
        newly
    }

    /// The nodes blocked by a failure upstream.
    pub fn blocked(&self) -> &BTreeSet<N> {
        &self.blocked
    }

    /// Nodes neither blocked nor released: ready but not taken, or still
    /// waiting for a dependency (what an unfinished walk left undone).
    pub fn unfinished(self) -> BTreeSet<N> {
        let blocked = self.blocked;
        self.ready
            .into_iter()
            .chain(
                self.waiting
                    .into_iter()
                    .filter(|(n, w)| *w > 0 && !blocked.contains(n))
                    .map(|(n, _)| n),
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// b and c depend on a; d depends on b and c.
    fn diamond() -> Dag<&'static str> {
        let mut g = Dag::new();
        for n in ["a", "b", "c", "d"] {
            g.add(n);
        }
        g.depend("b", "a");
        g.depend("c", "a");
        g.depend("d", "b");
        g.depend("d", "c");
        g
    }

    #[test]
    fn nodes_become_ready_as_dependencies_are_released() {
        let g = diamond();
        let mut w = Walk::new(&g);
        assert_eq!(w.next_ready(), Some("a"));
        assert_eq!(w.next_ready(), None);
        w.release(&"a");
        assert_eq!(w.next_ready(), Some("b"));
        w.release(&"b");
        assert_eq!(w.next_ready(), Some("c"));
        assert_eq!(w.next_ready(), None, "d still waits for c");
        w.release(&"c");
        assert_eq!(w.next_ready(), Some("d"));
        w.release(&"d");
        assert!(w.unfinished().is_empty());
    }

    #[test]
    fn a_failure_blocks_what_is_downstream() {
        let g = diamond();
        let mut w = Walk::new(&g);
        w.next_ready();
        w.release(&"a");
        assert_eq!(w.next_ready(), Some("b"));
        assert_eq!(w.block_dependents(&"b"), vec!["d"]);
        assert_eq!(w.next_ready(), Some("c"));
        w.release(&"c");
        assert_eq!(w.next_ready(), None, "d is blocked");
        assert!(w.blocked().contains("d"));
        assert!(w.unfinished().is_empty(), "blocked is not unfinished");
    }

    #[test]
    fn an_interrupted_walk_reports_what_is_left() {
        let g = diamond();
        let mut w = Walk::new(&g);
        w.next_ready();
        w.release(&"a");
        let left: Vec<_> = w.unfinished().into_iter().collect();
        assert_eq!(left, vec!["b", "c", "d"]);
    }
}
