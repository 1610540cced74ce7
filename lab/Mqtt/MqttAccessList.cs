using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MQTTnet;
using Skylark.Events.Contracts;

namespace Skylark.Events.Lab.Mqtt;

/// <summary>
/// Who may log in to an MQTT server and what each may publish and subscribe to: one user per camera (publishing only
/// under <c>cameras/&lt;its id&gt;/</c>), one per service (the camera ingest reads the cameras' topics, the alarm function
/// writes <c>alarms/</c>) and operators (reading alarms and dead letters). The embedded server enforces it
/// (<see cref="EmbeddedMqttServerOptions.Access"/>); <see cref="MosquittoFiles"/> writes the same rules for mosquitto.
/// Users can be added while a server runs (a camera joining); thread-safe.
/// </summary>
public sealed class MqttAccessList
{
    public const string IngestUser = "skylark-ingest";
    public const string AlarmUser = "skylark-alarm";
    public const string OperatorUser = "operator";

    private const int PasswordBytes = 24;

    private readonly ConcurrentDictionary<string, MqttUser> _users = new(StringComparer.Ordinal);

    /// <summary>The users, by name.</summary>
    public IReadOnlyCollection<MqttUser> Users => [.. _users.Values.OrderBy(u => u.Name, StringComparer.Ordinal)];

    /// <summary>A list with a service user each for the ingest and the alarm function and an operator, all with random passwords.</summary>
    public static MqttAccessList WithServices()
    {
        var access = new MqttAccessList();
        access.Add(IngestUser, MqttRole.Ingest);
        access.Add(AlarmUser, MqttRole.Alarm);
        access.Add(OperatorUser, MqttRole.Operator);
        return access;
    }

    /// <summary>A random password: 24 bytes from the system's CSPRNG, URL-safe base64.</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(PasswordBytes)).Replace('+', '-').Replace('/', '_');

    /// <summary>Adds a user with a random password, or returns the one of that name if it has the same role.</summary>
    /// <exception cref="ArgumentException">The name is taken by a user of another role, or a camera name is not a valid camera id.</exception>
    public MqttUser Add(string name, MqttRole role, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (role == MqttRole.Camera && !StateRef.IsValidSegment(name))
        {
            throw new ArgumentException($"Camera id '{name}' must match {StateRef.SegmentPattern}: it is a topic level and names workflows.", nameof(name));
        }

        if (name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            // The mosquitto password file separates user and hash with ':'.
            throw new ArgumentException($"MQTT user name '{name}' must not contain ':' or white space.", nameof(name));
        }

        var user = _users.GetOrAdd(name, n => new MqttUser(n, password ?? NewPassword(), role));
        return user.Role == role
            ? user
            : throw new ArgumentException($"MQTT user '{name}' exists already as {user.Role}; a {role} needs another name.", nameof(name));
    }

    /// <summary>The camera's user (created with a random password on first use).</summary>
    public MqttUser Camera(string camera) => Add(camera, MqttRole.Camera);

    public MqttUser this[string name] => _users[name];

    /// <returns>The user, or null when the name is unknown or the password wrong.</returns>
    public MqttUser? Authenticate(string? userName, ReadOnlySpan<byte> password)
    {
        if (string.IsNullOrEmpty(userName) || !_users.TryGetValue(userName, out var user))
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.Password), password) ? user : null;
    }

    /// <summary>Whether <paramref name="user"/> may publish to <paramref name="topic"/>.</summary>
    public static bool MayPublish(MqttUser user, string topic)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(topic);
        return topic.IndexOfAny(['+', '#']) < 0
            && user.Publish.Any(filter => MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch);
    }

    /// <summary>Whether <paramref name="user"/> may subscribe to <paramref name="filter"/>: every topic it matches must be one the user may read.</summary>
    public static bool MaySubscribe(MqttUser user, string filter)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(filter);

        // A shared subscription reads the same topics as its filter.
        if (filter.StartsWith("$share/", StringComparison.Ordinal))
        {
            var parts = filter.Split('/', 3);
            filter = parts.Length == 3 ? parts[2] : "";
        }

        return filter.Length > 0 && user.Subscribe.Any(allowed => Contains(allowed, filter));
    }

    /// <summary>Whether every topic <paramref name="filter"/> matches is matched by <paramref name="allowed"/>.</summary>
    internal static bool Contains(string allowed, string filter)
    {
        var outer = allowed.Split('/');
        var inner = filter.Split('/');
        for (var i = 0; i < outer.Length; i++)
        {
            if (outer[i] == "#")
            {
                return true;
            }

            if (i >= inner.Length)
            {
                return false;
            }

            var ok = outer[i] == "+" ? inner[i] != "#" : string.Equals(outer[i], inner[i], StringComparison.Ordinal);
            if (!ok)
            {
                return false;
            }
        }

        // Longer than a filter without '#' at its end: it reaches topics the allowed one does not.
        return inner.Length == outer.Length;
    }
}
