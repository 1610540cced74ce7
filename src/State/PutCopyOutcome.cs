namespace Skylark.Events.State;

public enum PutCopyOutcome
{
    /// <summary>The copy replaced an older (or absent) local version.</summary>
    Written,

    /// <summary>The local store already holds this version; nothing changed.</summary>
    SameVersionPresent,

    /// <summary>The local store holds a newer version, which a copy must never overwrite; nothing changed.</summary>
    NewerVersionPresent,
}
