// auditor's findings in Azure Monitor Logs: the custom tables, a data collection endpoint, a data
// collection rule with one stream per table and its transformation, the role the pipeline's
// identity needs to send, and the workbook. Deploy once into the resource group of an existing
// Log Analytics workspace (docs/scheduled-runs.md):
//
//   az deployment group create -g rg-monitoring --template-file deploy/log-analytics/main.bicep \
//     -p workspaceName=law-platform principalId=<object id of the pipeline's identity>
//
// then point every pipeline at the outputs:
//   auditor scan ... --log-analytics <logsIngestionEndpoint> --dcr <dataCollectionRuleId>
//
// The columns live in tables.json (written by `python -m auditor.log_analytics`), so the
// tables, the stream declarations and the rows auditor sends cannot drift apart (a test checks).

@description('Name of the existing Log Analytics workspace, in this resource group.')
param workspaceName string

@description('Object id of the identity the pipelines sign in as (service principal or managed identity). Empty: no role assignment.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string = 'ServicePrincipal'

@description('Region of the data collection endpoint and rule: the workspace\'s.')
param location string = resourceGroup().location

@description('Prefix of the endpoint\'s and the rule\'s names.')
param namePrefix string = 'auditor'

@description('Days the rows stay queryable (interactive retention).')
@minValue(4)
@maxValue(730)
param retentionInDays int = 90

@description('Days the rows are kept in all, long-term retention included.')
@minValue(4)
@maxValue(4383)
param totalRetentionInDays int = 730

@description('Also deploy the workbook (readiness trend, today\'s blockers, regressions).')
param deployWorkbook bool = true

var tables = loadJsonContent('tables.json')
// A stream declaration's column is a name and a type; the table's also has a description.
func streamColumns(columns array) array => map(columns, c => {
  name: c.name
  type: c.type
})
var tableNames = [
  'AuditorFinding_CL'
  'AuditorWorkload_CL'
  'AuditorRun_CL'
]
// The rows carry no TimeGenerated: the rule's transformation sets it to the time they arrive
// (a spooled row sent days later is not refused as too old); generated_at says when the scan ran.
var transformKql = 'source | extend TimeGenerated = now()'
// Monitoring Metrics Publisher: allows sending data to a data collection rule (and nothing else).
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

resource table 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = [for name in tableNames: {
  parent: workspace
  name: name
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionInDays
    totalRetentionInDays: totalRetentionInDays
    schema: {
      name: name
      description: tables[name].description
      columns: concat([
        {
          name: 'TimeGenerated'
          type: 'datetime'
          description: 'when the row arrived'
        }
      ], tables[name].columns)
    }
  }
}]

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2022-06-01' = {
  name: '${namePrefix}-dce'
  location: location
  properties: {
    networkAcls: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2022-06-01' = {
  name: '${namePrefix}-dcr'
  location: location
  dependsOn: [
    table
  ]
  properties: {
    dataCollectionEndpointId: endpoint.id
    streamDeclarations: {
      'Custom-AuditorFinding_CL': {
        columns: streamColumns(tables.AuditorFinding_CL.columns)
      }
      'Custom-AuditorWorkload_CL': {
        columns: streamColumns(tables.AuditorWorkload_CL.columns)
      }
      'Custom-AuditorRun_CL': {
        columns: streamColumns(tables.AuditorRun_CL.columns)
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Custom-AuditorFinding_CL'
        ]
        destinations: [
          'workspace'
        ]
        transformKql: transformKql
        outputStream: 'Custom-AuditorFinding_CL'
      }
      {
        streams: [
          'Custom-AuditorWorkload_CL'
        ]
        destinations: [
          'workspace'
        ]
        transformKql: transformKql
        outputStream: 'Custom-AuditorWorkload_CL'
      }
      {
        streams: [
          'Custom-AuditorRun_CL'
        ]
        destinations: [
          'workspace'
        ]
        transformKql: transformKql
        outputStream: 'Custom-AuditorRun_CL'
      }
    ]
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(rule.id, principalId, monitoringMetricsPublisher)
  scope: rule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: principalType
  }
}

resource workbook 'Microsoft.Insights/workbooks@2022-04-01' = if (deployWorkbook) {
  name: guid(resourceGroup().id, workspace.id, 'auditor-dr-readiness')
  location: location
  kind: 'shared'
  properties: {
    displayName: 'DR readiness (auditor)'
    category: 'workbook'
    sourceId: workspace.id
    serializedData: loadTextContent('workbook.json')
  }
}

@description('--log-analytics: the data collection endpoint\'s logs ingestion URL.')
output logsIngestionEndpoint string = endpoint.properties.logsIngestion.endpoint

@description('--dcr: the data collection rule\'s immutable id.')
output dataCollectionRuleId string = rule.properties.immutableId

@description('The data collection rule, the scope of the Monitoring Metrics Publisher role.')
output dataCollectionRuleResourceId string = rule.id
