using Skylark.Events.Contracts;

namespace Skylark.Events.Predictor.Databelt;

/// <summary>
/// What the Databelt policy keeps per workflow while it runs: the bundles its functions wrote (where, how large), so
/// a completion can send the workflow's co-located states together (fusion), and the node each successor was expected
/// on, to score the static placement. Bounded: the least recently seen workflows are forgotten beyond the capacity.
/// Nothing here carries over from one workflow to the next. Not thread-safe (the policy serialises calls).
/// </summary>
internal sealed class WorkflowBundles
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<Run>> _byWorkflow = new(StringComparer.Ordinal);
    private readonly LinkedList<Run> _recency = new();

    public WorkflowBundles(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _byWorkflow.Count;

    /// <summary>The workflow's record, created if new, and marked as the most recently seen.</summary>
    public Run Touch(string workflowId)
    {
        if (_byWorkflow.TryGetValue(workflowId, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }

        node = _recency.AddFirst(new Run(workflowId));
        _byWorkflow[workflowId] = node;
        if (_byWorkflow.Count > _capacity)
        {
            var oldest = _recency.Last!.Value;
            _recency.RemoveLast();
            _byWorkflow.Remove(oldest.WorkflowId);
        }

        return node.Value;
    }

    /// <summary>One workflow: its bundles in the order first written, and the nodes its successors are expected on.</summary>
    internal sealed class Run(string workflowId)
    {
        /// <summary>Most bundles remembered per workflow; later ones are not fused (a workflow run writes a handful).</summary>
        public const int MaxBundles = 256;

        private readonly List<StateRef> _order = [];
        private readonly Dictionary<StateRef, long> _bytes = [];

        public string WorkflowId { get; } = workflowId;

        /// <summary>Function → the node static placement expects it on, until its completion is seen.</summary>
        public Dictionary<string, string> ExpectedNodes { get; } = new(StringComparer.Ordinal);

        /// <summary>Records a bundle written by one of the workflow's functions (again: its size is updated).</summary>
        public void Wrote(StateRef stateRef, long bytes)
        {
            if (!_bytes.ContainsKey(stateRef))
            {
                if (_order.Count >= MaxBundles)
                {
                    return;
                }

                _order.Add(stateRef);
            }

            _bytes[stateRef] = bytes;
        }

        /// <summary>The workflow's bundles held on <paramref name="node"/>, in the order first written.</summary>
        public IEnumerable<(StateRef Ref, long Bytes)> HeldOn(string node) =>
            _order.Where(r => string.Equals(r.Node, node, StringComparison.Ordinal)).Select(r => (r, _bytes[r]));
    }
}
