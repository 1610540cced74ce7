using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// The Redis key scheme for bundles. A bundle of workflow <c>w</c> named <c>b</c> lives in the hash
/// <c>{prefix}:b:{w}:{b}</c>; the write path stages it in <c>{prefix}:t:{w}:{b}</c> first. A progressive write (a
/// function appending its output item by item) stages it in <c>{prefix}:p:{w}:{b}</c>, where the StateSink can stream
/// it from; a copy streamed in from another node is staged in <c>{prefix}:t:{w}:{b}:{write id}</c>.
/// </summary>
/// <remarks>
/// The node is deliberately not part of the key: each node has its own Redis, and a copy pulled from another
/// node is the same logical bundle, so a function that moves keeps writing the version it pulled.
/// StateRef segments match <see cref="StateRef.SegmentPattern"/> and can never contain ':', so splitting the
/// part after the prefix on ':' is unambiguous even when the prefix itself contains ':'.
/// </remarks>
public sealed partial class BundleKeys
{
    public const string DefaultPrefix = "skylark";

    /// <summary>Hash field holding the bundle's version (a decimal integer, 1 for the first write).</summary>
    public const string VersionField = "_v";

    /// <summary>Hash field holding when this version was written, Unix milliseconds (UTC).</summary>
    public const string UpdatedAtField = "_t";

    /// <summary>Hash field holding <see cref="BundleItems.SizeBytes"/>, so listings need not load items.</summary>
    public const string SizeField = "_n";

    /// <summary>
    /// Hash field of a progressive write's staging (and of the bundle it commits): the write's id, so a reader streaming
    /// the staging can tell the commit of that write from any other version.
    /// </summary>
    public const string WriteIdField = "_w";

    /// <summary>Hash field of a progressive write's staging: how many items have been appended.</summary>
    public const string ItemCountField = "_c";

    /// <summary>Hash fields <c>_i0</c>, <c>_i1</c>, … of a progressive write: the name of the n-th item appended.</summary>
    public const string ItemOrderFieldPrefix = "_i";

    /// <summary>Item names may not start with this; the prefix is kept for metadata fields.</summary>
    public const char ReservedFieldPrefix = '_';

    public const string PrefixPattern = "[A-Za-z0-9][A-Za-z0-9._:-]{0,63}";

    private const string BundleSpace = "b";
    private const string StagingSpace = "t";
    private const string ProgressiveSpace = "p";
    private const string WrittenSuffix = "written";
    private const string StagedSuffix = "staged";

    public BundleKeys(string prefix = DefaultPrefix)
    {
        if (prefix is null || !PrefixRegex().IsMatch(prefix))
        {
            throw new ArgumentException($"State key prefix '{prefix}' must match {PrefixPattern}.", nameof(prefix));
        }

        Prefix = prefix;
        BundlePrefix = $"{prefix}:{BundleSpace}:";
        WrittenChannel = $"{prefix}:{WrittenSuffix}";
        StagedChannel = $"{prefix}:{StagedSuffix}";
    }

    public string Prefix { get; }

    /// <summary>Whether <paramref name="prefix"/> matches <see cref="PrefixPattern"/>.</summary>
    public static bool IsValidPrefix(string? prefix) => prefix is not null && PrefixRegex().IsMatch(prefix);

    /// <summary>Every bundle key starts with this.</summary>
    public string BundlePrefix { get; }

    /// <summary>
    /// The pub/sub channel every successful write (a new version or a copy) is announced on, with the bundle's
    /// <see cref="Key(StateRef)"/> as the message: <c>{prefix}:written</c>.
    /// </summary>
    public string WrittenChannel { get; }

    /// <summary>
    /// The pub/sub channel every item appended to a progressive write, and every abandoned progressive write, is
    /// announced on, with the bundle's <see cref="Key(StateRef)"/> as the message: <c>{prefix}:staged</c>.
    /// </summary>
    public string StagedChannel { get; }

    /// <summary>The hash holding the bundle <paramref name="stateRef"/> names (whatever its node).</summary>
    public string Key(StateRef stateRef) => Key(stateRef.WorkflowId, stateRef.Bundle);

    public string Key(string workflowId, string bundle) => $"{BundlePrefix}{workflowId}:{bundle}";

    /// <summary>Where a write is assembled before it is renamed over <see cref="Key(StateRef)"/>.</summary>
    public string StagingKey(StateRef stateRef) => $"{Prefix}:{StagingSpace}:{stateRef.WorkflowId}:{stateRef.Bundle}";

    /// <summary>Where a progressive write of the bundle stages its items until it commits (one per bundle: the last begun wins).</summary>
    public string ProgressiveKey(StateRef stateRef) => $"{Prefix}:{ProgressiveSpace}:{stateRef.WorkflowId}:{stateRef.Bundle}";

    /// <summary>
    /// Where a copy streamed in from another node is staged until its commit arrives: private to that one transfer
    /// (<paramref name="writeId"/>), so it never meets a local write of the same bundle.
    /// </summary>
    public string CopyStagingKey(StateRef stateRef, string writeId) => $"{StagingKey(stateRef)}:{writeId}";

    /// <summary>The key <paramref name="stateRef"/> is single-flighted under: one pull per bundle, whichever node it comes from.</summary>
    public static string PullKey(StateRef stateRef) => $"{stateRef.WorkflowId}:{stateRef.Bundle}";

    /// <summary>
    /// A SCAN MATCH pattern for the bundles whose workflow id starts with <paramref name="workflowIdPrefix"/>
    /// (all bundles when null or empty). The prefix uses only StateRef segment characters, none of which is a glob
    /// metacharacter, so it needs no escaping.
    /// </summary>
    public string ScanPattern(string? workflowIdPrefix = null)
    {
        if (string.IsNullOrEmpty(workflowIdPrefix))
        {
            return BundlePrefix + "*";
        }

        if (workflowIdPrefix.Length > StateRef.MaxSegmentLength || !SegmentCharsRegex().IsMatch(workflowIdPrefix))
        {
            throw new ArgumentException(
                $"Workflow id prefix '{workflowIdPrefix}' may only contain the characters of {StateRef.SegmentPattern}.",
                nameof(workflowIdPrefix));
        }

        return BundlePrefix + workflowIdPrefix + "*";
    }

    /// <summary>Recovers the StateRef (on <paramref name="node"/>) from a bundle key; false for keys outside the scheme.</summary>
    public bool TryParse(string key, string node, [NotNullWhen(true)] out StateRef? stateRef)
    {
        stateRef = null;
        if (key is null || !key.StartsWith(BundlePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key.AsSpan(BundlePrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var workflowId = rest[..colon].ToString();
        var bundle = rest[(colon + 1)..].ToString();
        if (!StateRef.IsValidSegment(workflowId) || !StateRef.IsValidSegment(bundle))
        {
            return false;
        }

        stateRef = new StateRef(node, workflowId, bundle);
        return true;
    }

    [GeneratedRegex("^" + PrefixPattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixRegex();

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentCharsRegex();
}
