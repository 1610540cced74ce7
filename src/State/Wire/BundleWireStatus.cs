namespace Skylark.Events.State.Wire;

/// <summary>What one entry of a bundle stream carries. The byte values are part of the wire format.</summary>
public enum BundleWireStatus : byte
{
    /// <summary>The complete bundle: version, updated-at and every item.</summary>
    Found = 1,

    /// <summary>The sender does not hold the bundle.</summary>
    NotFound = 2,

    /// <summary>The sender holds exactly the version the receiver said it has, so the items were not sent.</summary>
    NotModified = 3,

    /// <summary>
    /// Format version 2 only: the bundle's items one by one as its producer writes them, ended by the commit (version,
    /// updated-at, item count, size) or by an abort with its reason.
    /// </summary>
    Streamed = 4,
}
