using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Lab.Emulation;

/// <summary>Link conditions a test changes while connections are open (null: the link is down).</summary>
internal sealed class AdjustableLink(LinkConditions? initial)
{
    private readonly Lock _gate = new();
    private LinkConditions? _conditions = initial;

    public LinkConditions? Current
    {
        get
        {
            lock (_gate)
            {
                return _conditions;
            }
        }

        set
        {
            lock (_gate)
            {
                _conditions = value;
            }
        }
    }
}
