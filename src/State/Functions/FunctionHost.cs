using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Skylark.Events.State.Functions;

/// <summary>
/// The common start of a function's <c>Program.cs</c>: <c>--node</c>, <c>--redis</c>, <c>--redis-password</c> and
/// <c>--key-prefix</c> from the command line or <c>SKYLARK_*</c> environment variables (e.g. <c>SKYLARK_NODE</c>, as a
/// Knative Service sets them), <c>--urls</c> as ASP.NET Core reads it.
/// </summary>
public static class FunctionHost
{
    public const string NodeKey = "node";
    public const string RedisKey = "redis";
    public const string RedisPasswordKey = "redis-password";
    public const string KeyPrefixKey = "key-prefix";
    public const string EnvironmentPrefix = "SKYLARK_";

    /// <summary>A web application builder with this node's state (<see cref="StateServiceCollectionExtensions.AddSkylarkState"/>) registered.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);

        // The command line wins over the environment, as everywhere else in ASP.NET Core.
        builder.Configuration.AddCommandLine(args);
        var configuration = builder.Configuration;
        builder.Services.AddSkylarkState(options => BindState(configuration, options));
        return builder;
    }

    /// <summary>Applies the settings present in <paramref name="configuration"/>; absent ones keep their defaults.</summary>
    public static void BindState(IConfiguration configuration, StateOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        if (configuration[NodeKey] is { Length: > 0 } node)
        {
            options.Node = node;
        }

        if (configuration[RedisKey] is { Length: > 0 } redis)
        {
            options.Configuration = redis;
        }

        if (Read(configuration, RedisPasswordKey) is { Length: > 0 } password)
        {
            options.Password = password;
        }

        if (Read(configuration, KeyPrefixKey) is { Length: > 0 } prefix)
        {
            options.KeyPrefix = prefix;
        }
    }

    /// <summary>Environment variable names cannot hold '-': SKYLARK_REDIS_PASSWORD arrives as <c>REDIS_PASSWORD</c>.</summary>
    private static string? Read(IConfiguration configuration, string key) =>
        configuration[key] ?? configuration[key.Replace('-', '_')];
}
