using System.Runtime.CompilerServices;

// Tests reach the filter seam on BrokerOptions; nothing else is internal for their sake.
[assembly: InternalsVisibleTo("Skylark.Events.Tests")]
