namespace Skylark.Events.Cli.Cameras;

/// <summary>A people-like shape bouncing around the frame on a straight path; its position is a closed form of the frame number.</summary>
internal sealed record SceneObject(
    bool IsEllipse,
    int Width,
    int Height,
    double StartX,
    double StartY,
    double VelocityX,
    double VelocityY,
    byte UpperGray,
    byte LowerGray)
{
    /// <summary>Top-left corner at frame <paramref name="seq"/>, reflecting off the frame edges.</summary>
    public (int X, int Y) PositionAt(long seq, int frameWidth, int frameHeight) =>
        ((int)Math.Round(Bounce(StartX + (VelocityX * seq), frameWidth - Width)),
         (int)Math.Round(Bounce(StartY + (VelocityY * seq), frameHeight - Height)));

    // Triangle wave: walking along a line and bouncing off both walls of [0, range].
    private static double Bounce(double position, double range)
    {
        if (range <= 0)
        {
            return 0;
        }

        var period = 2 * range;
        var phase = position % period;
        if (phase < 0)
        {
            phase += period;
        }

        return phase > range ? period - phase : phase;
    }
}
