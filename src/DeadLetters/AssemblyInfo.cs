using System.Runtime.CompilerServices;

// Tests reach the admission bound directly: filling the queue over HTTP would need a disk slower than the test's.
[assembly: InternalsVisibleTo("Skylark.Events.Tests")]
