namespace Skylark.Events.State;

/// <summary>
/// Redis 7 ACL rules (the part of an <c>ACL SETUSER</c> or a config file's <c>user</c> line after the name and
/// password) that confine a service to the keys and commands it uses. A function may change only the bundles its
/// <see cref="BundleScope"/> owns (<c>{function}</c> and <c>{function}.*</c>, with their staging) and read every key
/// of the project; the StateSink may read and write every key of the project, since it copies any bundle. Both may
/// run the commands the state code sends — reads, writes, pub/sub on the written and staged channels, transactions,
/// EVAL/EVALSHA (also read-only) — and none of Redis' dangerous ones (CONFIG, KEYS, FLUSHALL, DEBUG, ACL, …).
/// </summary>
/// <remarks>
/// Redis checks a script's keys against the user's key patterns both as declared in KEYS and as each command inside
/// the script touches them, and its channels as PUBLISH names them; every bundle script names each key in KEYS.
/// A key pattern's <c>*</c> also matches ':', but workflow ids and bundle names never contain one, so
/// <c>{prefix}:b:*:detect</c> is exactly the bundle <c>detect</c> of every workflow.
/// </remarks>
public static class RedisAclRules
{
    /// <summary>The commands every service user may run, whatever its keys.</summary>
    public const string Commands =
        "-@all +@connection +@read +@write +@pubsub +@transaction " +
        "-@scripting +eval +evalsha +eval_ro +evalsha_ro +script|load +script|exists -@dangerous";

    /// <summary>The rules of a user that writes the bundles <paramref name="function"/> owns and reads every bundle.</summary>
    public static string ForFunction(string function, string prefix = BundleKeys.DefaultPrefix)
    {
        var scope = BundleScope.ForFunction(function);
        var keys = new BundleKeys(prefix);
        var owned = new List<string>();
        foreach (var space in new[] { "b", "t", "p" })
        {
            owned.Add($"~{keys.Prefix}:{space}:*:{scope.Function}");
            owned.Add($"~{keys.Prefix}:{space}:*:{scope.Function}.*");
        }

        return $"resetkeys %R~{keys.Prefix}:* {string.Join(' ', owned)} {Channels(keys)} {Commands}";
    }

    /// <summary>The rules of the StateSink's user: every key of the project, to read and to write.</summary>
    public static string ForStateSink(string prefix = BundleKeys.DefaultPrefix)
    {
        var keys = new BundleKeys(prefix);
        return $"resetkeys ~{keys.Prefix}:* {Channels(keys)} {Commands}";
    }

    /// <summary>
    /// The rules of the Predictor's user: its model key alone (a string it reads at start and writes now and then),
    /// no bundle, no channel.
    /// </summary>
    public static string ForPredictor(string modelKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelKey);
        return $"resetkeys ~{modelKey} resetchannels -@all +@connection +get +set +ping -@dangerous";
    }

    private static string Channels(BundleKeys keys) => $"resetchannels &{keys.WrittenChannel} &{keys.StagedChannel}";
}
