namespace Skylark.Events.Hosting;

/// <summary>
/// The service found, while starting, something it must not run with (a damaged journal, say) — not a setting that
/// is wrong, but data or an environment that needs a person. <see cref="SkylarkService"/> prints its message as the
/// process's last words and exits with <see cref="SkylarkService.CannotStartExitCode"/> instead of crashing.
/// </summary>
public sealed class ServiceCannotStartException : Exception
{
    public ServiceCannotStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ServiceCannotStartException(string message)
        : base(message)
    {
    }

    public ServiceCannotStartException()
    {
    }
}
