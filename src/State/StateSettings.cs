using Microsoft.Extensions.Configuration;
using Skylark.Events.Hosting;

namespace Skylark.Events.State;

/// <summary>The node's state as a deployable reads it: <c>--node</c>, <c>--redis</c>, the password, the key prefix.</summary>
public static class StateSettings
{
    public static readonly Setting NodeSink = new("node-sink", "This node's StateSink, for a function running apart from it: the function asks it to pull other nodes' state into the node's Redis.");

    /// <summary>Reads the settings into a configure action; problems are collected in <paramref name="settings"/>.</summary>
    public static Action<StateOptions> Read(ServiceConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var node = settings.Required(CommonSettings.Node);
        var redis = settings.Required(CommonSettings.Redis);
        var password = settings.GetSecret(CommonSettings.RedisPassword, CommonSettings.RedisPasswordFile);
        var user = settings.Get(CommonSettings.RedisUser);
        var prefix = settings.Get(CommonSettings.KeyPrefix);
        if (node is not null && !Contracts.StateRef.IsValidSegment(node))
        {
            settings.Problem(CommonSettings.Node, $"must match {Contracts.StateRef.SegmentPattern}; got '{node}'");
        }

        if (prefix is not null && !BundleKeys.IsValidPrefix(prefix))
        {
            settings.Problem(CommonSettings.KeyPrefix, $"must match {BundleKeys.PrefixPattern}; got '{prefix}'");
        }

        return options =>
        {
            options.Node = node ?? options.Node;
            options.Configuration = redis ?? options.Configuration;
            options.Password = password ?? options.Password;
            options.User = user ?? options.User;
            options.KeyPrefix = prefix ?? options.KeyPrefix;
        };
    }

    /// <summary>Reads the settings from <paramref name="configuration"/>.</summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static Action<StateOptions> Read(IConfiguration configuration)
    {
        var settings = new ServiceConfiguration(configuration);
        var configure = Read(settings);
        settings.ThrowIfInvalid();
        return configure;
    }

    /// <summary>
    /// A function's state settings: its node's (<see cref="Read(ServiceConfiguration)"/>) and, when it runs apart from
    /// its node's StateSink, that sink (<see cref="NodeSink"/>); problems are collected in <paramref name="settings"/>.
    /// </summary>
    public static FunctionStateSettings ReadForFunction(ServiceConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new FunctionStateSettings(Read(settings), settings.Url(NodeSink)) { TokenFile = settings.Get(Identity.SenderIdentitySettings.TokenFile) };
    }
}

/// <summary>A function's state as its settings say: the node's Redis, and the node's StateSink when the function runs apart from it.</summary>
/// <param name="Configure">Configures the node's <see cref="StateOptions"/>.</param>
/// <param name="NodeSink">The node's StateSink (<c>--node-sink</c>); null when the function reads only its node's Redis.</param>
public sealed record FunctionStateSettings(Action<StateOptions> Configure, Uri? NodeSink)
{
    /// <summary>The function's identity token (<c>--token-file</c>), sent to the node's StateSink; null sends none.</summary>
    public string? TokenFile { get; init; }
}
