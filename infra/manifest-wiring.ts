/**
 * Data sources, pipeline functions and resolvers, all read from
 * api/manifest.ts. Resolver code is bundled with api/bundle.ts, the same
 * bundler the local stack uses.
 */
import {
  AppsyncFunction,
  Code,
  FunctionRuntime,
  LambdaDataSource,
  Resolver,
  type BaseDataSource,
  type GraphqlApi,
} from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundleResolver } from '../api/bundle.ts';
import { codeFilesByDataSource } from '../api/data-source-access.ts';
import {
  dataSources,
  fields,
  type DataSourceName,
  type FieldWiring,
  type LambdaFunctionName,
} from '../api/manifest.ts';
import { appSyncServiceRole, sourceArnsOfApi } from './appsync-service-role.ts';
import { LeastPrivilegeDynamoDbDataSource } from './dynamodb-data-source.ts';

export interface ManifestWiringProps {
  readonly api: GraphqlApi;
  /** Backs every DYNAMODB data source. */
  readonly table: ITable;
  /** The deployed function for each manifest Lambda a LAMBDA data source names. */
  readonly functions: Partial<Record<LambdaFunctionName, IFunction>>;
  /**
   * Bundles a resolver file; injectable so tests can count or stub bundling.
   * @default bundleResolver from api/bundle.ts
   */
  readonly bundle?: (code: string) => string;
}

/** `Mutation.requestUpload` → `MutationRequestUpload`, a construct id. */
const constructIdFor = (field: FieldWiring) => `${field.typeName}${field.fieldName[0]?.toUpperCase()}${field.fieldName.slice(1)}`;

export class ManifestWiring extends Construct {
  public readonly dataSources: ReadonlyMap<DataSourceName, BaseDataSource>;
  /** Resolvers keyed `Type.field`. */
  public readonly resolvers: ReadonlyMap<string, Resolver>;
  /** Pipeline functions keyed by step name. */
  public readonly functions: ReadonlyMap<string, AppsyncFunction>;

  private readonly bundled = new Map<string, string>();
  private readonly bundle: (code: string) => string;

  public constructor(scope: Construct, id: string, props: ManifestWiringProps) {
    super(scope, id);
    this.bundle = props.bundle ?? ((code) => bundleResolver({ code }));
    this.dataSources = this.addDataSources(props);
    const pipelineFunctions = new Map<string, AppsyncFunction>();
    const resolvers = new Map<string, Resolver>();
    for (const field of fields) {
      resolvers.set(`${field.typeName}.${field.fieldName}`, this.addResolver(props.api, field, pipelineFunctions));
    }
    this.resolvers = resolvers;
    this.functions = pipelineFunctions;
  }

  /** Bundles each file once, however many times the manifest names it. */
  private code(file: string): string {
    let text = this.bundled.get(file);
    if (text === undefined) {
      text = this.bundle(file);
      this.bundled.set(file, text);
    }
    return text;
  }

  private addDataSources(props: ManifestWiringProps): Map<DataSourceName, BaseDataSource> {
    const codeFiles = codeFilesByDataSource();
    const created = new Map<DataSourceName, BaseDataSource>();
    for (const [name, spec] of Object.entries(dataSources) as [DataSourceName, (typeof dataSources)[DataSourceName]][]) {
      switch (spec.kind) {
        case 'DYNAMODB':
          created.set(
            name,
            new LeastPrivilegeDynamoDbDataSource(this, name, {
              api: props.api,
              name,
              serviceRole: this.serviceRole(props.api, name),
              table: props.table,
              resolverCode: (codeFiles.get(name) ?? []).map((file) => this.code(file)),
              indexNames: spec.queryIndexes,
            }),
          );
          break;
        case 'LAMBDA': {
          const lambda = props.functions[spec.function];
          if (!lambda) throw new Error(`data source ${name} needs the ${spec.function} function`);
          // What api.addLambdaDataSource builds (same scope and id, so the same logical id), with our role.
          created.set(name, new LambdaDataSource(props.api, name, { api: props.api, lambdaFunction: lambda, name, serviceRole: this.serviceRole(props.api, name) }));
          break;
        }
        case 'NONE':
          created.set(name, props.api.addNoneDataSource(name, { name }));
          break;
      }
    }
    return created;
  }

  /** A data source's role: only this API, in this account, may assume it (infra/appsync-service-role.ts). */
  private serviceRole(api: GraphqlApi, name: DataSourceName) {
    return appSyncServiceRole(this, `${name}ServiceRole`, { sourceArns: sourceArnsOfApi(api), description: `AppSync data source ${name}` });
  }

  private dataSource(name: DataSourceName): BaseDataSource {
    const dataSource = this.dataSources.get(name);
    if (!dataSource) throw new Error(`api/manifest.ts names data source ${name}, which is not declared`);
    return dataSource;
  }

  private addResolver(api: GraphqlApi, field: FieldWiring, pipelineFunctions: Map<string, AppsyncFunction>): Resolver {
    const common = {
      api,
      typeName: field.typeName,
      fieldName: field.fieldName,
      runtime: FunctionRuntime.JS_1_0_0,
      code: Code.fromInline(this.code(field.code)),
    };
    if (field.kind === 'UNIT') {
      return new Resolver(this, constructIdFor(field), {
        ...common,
        dataSource: this.dataSource(field.dataSource),
        maxBatchSize: field.maxBatchSize,
      });
    }
    if (field.steps.length === 0) throw new Error(`pipeline ${field.typeName}.${field.fieldName} has no steps`);
    const steps = field.steps.map((step) => {
      if (pipelineFunctions.has(step.name)) throw new Error(`pipeline function name ${step.name} is used twice`);
      const fn = new AppsyncFunction(this, `Function${step.name[0]?.toUpperCase()}${step.name.slice(1)}`, {
        api,
        name: step.name,
        dataSource: this.dataSource(step.dataSource),
        runtime: FunctionRuntime.JS_1_0_0,
        code: Code.fromInline(this.code(step.code)),
      });
      pipelineFunctions.set(step.name, fn);
      return fn;
    });
    return new Resolver(this, constructIdFor(field), { ...common, pipelineConfig: steps });
  }
}
