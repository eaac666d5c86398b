import type {
  LubanBuildInsights,
  LubanEnvironmentInsights,
} from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import { Bar, BarChart, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDuration } from '../shared';

const CHART_WIDTH = 220;
const CHART_HEIGHT = 110;

const useStyles = makeStyles(theme => ({
  charts: {
    display: 'grid',
    gridTemplateColumns: `repeat(auto-fill, minmax(${CHART_WIDTH}px, 1fr))`,
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  figure: { margin: 0 },
}));

/** A rate from 0 to 1 as a whole percentage. */
export function formatRate(rate: number | undefined): string {
  return rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}

/** A duration or a dash when there was none to measure. */
export function formatSeconds(seconds: number | undefined): string {
  return seconds === undefined ? '—' : formatDuration(seconds);
}

interface ChartPoint {
  name: string;
  value: number;
  /** The value as the caption and tooltip say it. */
  label: string;
  /** The bar's colour, when not the chart's. */
  color?: string;
}

/**
 * One measure per environment as a small bar chart (recharts, as
 * Backstage's cost-insights plugin draws its charts), named for assistive
 * technology by the values it shows.
 */
function MeasureChart(props: {
  title: string;
  points: ChartPoint[];
  color: string;
}) {
  const { title, points, color } = props;
  const classes = useStyles();
  const theme = useTheme();
  const summary = points.map(p => `${p.name} ${p.label}`).join(', ');
  return (
    <figure className={classes.figure}>
      <Typography component="figcaption" variant="subtitle2">
        {title}
      </Typography>
      <div role="img" aria-label={`${title}: ${summary || 'nothing to show'}`}>
        <BarChart
          width={CHART_WIDTH}
          height={CHART_HEIGHT}
          data={points}
          margin={{ top: 8, right: 8, bottom: 0, left: 8 }}
        >
          <XAxis
            dataKey="name"
            tickLine={false}
            stroke={theme.palette.text.secondary}
          />
          <YAxis hide />
          <Tooltip
            formatter={(_value, _name, item) => [
              (item.payload as ChartPoint).label,
              title,
            ]}
            cursor={{ fill: theme.palette.action.hover }}
          />
          <Bar dataKey="value" isAnimationActive={false}>
            {points.map(point => (
              <Cell key={point.name} fill={point.color ?? color} />
            ))}
          </Bar>
        </BarChart>
      </div>
    </figure>
  );
}

/** The four DORA measures per environment, a small chart each. */
export function EnvironmentCharts(props: {
  environments: LubanEnvironmentInsights[];
}) {
  const { environments } = props;
  const classes = useStyles();
  const { palette } = useTheme();
  const points = (
    value: (env: LubanEnvironmentInsights) => number | undefined,
    label: (env: LubanEnvironmentInsights) => string,
  ) =>
    environments.map(env => ({
      name: env.name,
      value: value(env) ?? 0,
      label: label(env),
    }));
  return (
    <div className={classes.charts}>
      <MeasureChart
        title="Deploys per week"
        color={palette.primary.main}
        points={points(
          env => env.deploysPerWeek,
          env => String(env.deploysPerWeek),
        )}
      />
      <MeasureChart
        title="Lead time (median)"
        color={palette.info.main}
        points={points(
          env => env.leadTimeSeconds.p50,
          env => formatSeconds(env.leadTimeSeconds.p50),
        )}
      />
      <MeasureChart
        title="Change failure rate"
        color={palette.error.main}
        points={points(
          env => env.changeFailureRate,
          env => formatRate(env.changeFailureRate),
        )}
      />
      <MeasureChart
        title="Time to restore (median)"
        color={palette.warning.main}
        points={points(
          env => env.timeToRestoreSeconds.p50,
          env => formatSeconds(env.timeToRestoreSeconds.p50),
        )}
      />
    </div>
  );
}

/** Succeeded and failed builds, a bar each. */
export function BuildsChart(props: { builds: LubanBuildInsights }) {
  const { builds } = props;
  const { palette } = useTheme();
  const classes = useStyles();
  return (
    <div className={classes.charts}>
      <MeasureChart
        title="Builds"
        color={palette.success.main}
        points={[
          {
            name: 'succeeded',
            value: builds.succeeded,
            label: String(builds.succeeded),
          },
          {
            name: 'failed',
            value: builds.failed,
            label: String(builds.failed),
            color: palette.error.main,
          },
        ]}
      />
    </div>
  );
}
